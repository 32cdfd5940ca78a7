"""Staff actions that take data away: a course's export, a year's summary, a consent's
signed form. Each read of personal data is audited with the staff member, by ids and counts
only (never what the rows hold); a summary holds counts only and is not.

Who may ask for what is the callers' check (a full export and a signed form need the
``staff`` role): they answer a viewer 403 before calling here.
"""

from __future__ import annotations

from collections.abc import Collection

from consent.errors import NotFound
from consent.export_views import CourseExport, SignedForm, YearSummary
from consent.model import AuditEntry
from consent.staff import Actor
from consent.staff_actions.services import StaffServices


def export_course(
    services: StaffServices, code: str, actor: Actor, *, full_hetu: bool = False
) -> CourseExport:
    """Every participant of the course as the export shows them, masked unless
    ``full_hetu``; audited as ``course.exported`` with the actor, the counts and whether
    hetus were in full. :class:`UnknownCourse` if there is none (nothing audited)."""
    export = services.exports.course_export(code, full_hetu=full_hetu)
    details = {"code": export.code, "full_hetu": full_hetu, **export.counts()}
    services.people.audit(AuditEntry(actor.audit_name, "course.exported", "course", None, details))
    return export


def year_summary(services: StaffServices, year: int) -> YearSummary:
    """The year's records per opintokokonaisuus (counts only, so not audited)."""
    return services.exports.year_summary(year)


def signed_form(
    services: StaffServices, consent_id: int, actor: Actor, *, download: bool = False
) -> SignedForm:
    """The consent's signed PDF, audited as ``consent_pdf.viewed`` with the actor, the
    consent and whether it was downloaded. :class:`NotFound` when none is kept."""
    form = services.forms.consent_form(consent_id)
    if form is None:
        raise NotFound(f"no signed form for consent {consent_id}")
    details = {"enrolment_id": form.enrolment_id, "download": download}
    entry = AuditEntry(actor.audit_name, "consent_pdf.viewed", "consent", consent_id, details)
    services.people.audit(entry)
    return form


def consents_with_forms(services: StaffServices, course_code: str) -> set[int]:
    """The course's consents whose signed PDF staff may open."""
    return services.forms.consents_with_forms(course_code)


def forms_among(services: StaffServices, consent_ids: Collection[int]) -> set[int]:
    """Which of these consents (one person's) have a signed PDF staff may open."""
    return services.forms.forms_among(consent_ids)
