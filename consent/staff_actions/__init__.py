"""The staff application layer: one function per staff action, each taking the ports it
acts on (:class:`StaffServices`, built by the composition root) and the actor it acts for.

The staff API, the staff pages and the ``vst-consent`` commands only translate a request to
one of these calls and its result (or its domain error, :mod:`consent.errors`) back, so a
new staff action is one function here, its three callers and a test.
"""

from consent.staff_actions.attention import attention_list, mark_seen, retry_all, retry_count
from consent.staff_actions.consents import Recorded, record_consent
from consent.staff_actions.courses import course, courses, save_course, save_course_document
from consent.staff_actions.enrolment import (
    Enrolled,
    EnrolmentPreview,
    confirm_enrolment,
    enrol,
    enrolments,
    preview_enrolment,
    signing_for,
)
from consent.staff_actions.exports import (
    consents_with_forms,
    export_course,
    forms_among,
    signed_form,
    year_summary,
)
from consent.staff_actions.people import (
    Removed,
    delete_contact,
    export_person,
    look_up_person,
    remove_result,
)
from consent.staff_actions.records import invalidate, retry, retry_course, revoke, send_again
from consent.staff_actions.results import Preview, confirm_results, import_results, preview_results
from consent.staff_actions.services import Signing, StaffServices

__all__ = [
    "Enrolled",
    "EnrolmentPreview",
    "Preview",
    "Recorded",
    "Removed",
    "Signing",
    "StaffServices",
    "attention_list",
    "confirm_enrolment",
    "confirm_results",
    "consents_with_forms",
    "course",
    "courses",
    "delete_contact",
    "enrol",
    "enrolments",
    "export_course",
    "export_person",
    "forms_among",
    "import_results",
    "invalidate",
    "look_up_person",
    "mark_seen",
    "preview_enrolment",
    "preview_results",
    "record_consent",
    "remove_result",
    "retry",
    "retry_all",
    "retry_count",
    "retry_course",
    "revoke",
    "save_course",
    "save_course_document",
    "send_again",
    "signed_form",
    "signing_for",
    "year_summary",
]
