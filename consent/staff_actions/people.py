"""Staff actions on one person's request: the right of access (everything the ledger holds
about them), a result removed (a wrong hetu in a file, a person who asks), an enrolment's
contact details deleted. Each is audited with the staff member, by ids and counts only.

A removed result never leaves the ledger again: binding and sending both read it as
removed (:data:`consent.model.Binding.REMOVED`). A removed result whose record KOSKI holds
is held back as any result the ledger no longer supports (:func:`consent.submissions.held_back`):
the record needs attention and staff invalidate it; its submission's history stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from consent.errors import ResultBeingSent, UnknownRemovalReason
from consent.hetu import Hetu
from consent.model import AuditEntry, Binding, SubmissionState
from consent.oppijanumero import Oppijanumero
from consent.person_views import PersonExport
from consent.staff import Actor
from consent.staff_actions.services import StaffServices
from consent.submissions import KEPT_OUT, Keep, held_back
from consent.views import ParticipantStatus

# Why staff remove a result: codes, so the audit trail never holds free text (or a name).
REMOVAL_REASONS: Final = ("wrong_person", "person_asked")
# KOSKI's oppijanumero: the person oids of OPH's oppijanumerorekisteri.
OPPIJANUMERO: Final = re.compile(r"1\.2\.246\.562\.24\.\d{11}")


@dataclass(frozen=True)
class Removed:
    """What removing a result came to: deleted outright (no KOSKI history), or kept for its
    history; ``record_live`` when KOSKI holds its record, which staff now invalidate."""

    deleted: bool
    submission_id: int | None
    record_live: bool


def look_up_person(
    services: StaffServices, code: str, hetu: Hetu, actor: Actor
) -> list[ParticipantStatus]:
    """The person's rows of the course's status, in full (hetu and names), audited as
    ``person.looked_up`` with the actor and the course, about the participant found (none
    when nobody with that hetu is on the course), so the person's own export lists who
    looked them up. :class:`UnknownCourse` if there is no such course (nothing audited)."""
    rows = services.status.course_status(code, hetu)
    found = sorted({row.participant_id for row in rows})
    details = {"code": code, "found": bool(found)}
    subjects: list[int | None] = [*found] if found else [None]
    for subject in subjects:
        entry = AuditEntry(actor.audit_name, "person.looked_up", "participant", subject, details)
        services.people.audit(entry)
    return rows


def export_person(services: StaffServices, identity: str, actor: Actor) -> PersonExport:
    """Everything the ledger holds about the person ``identity`` names (a hetu, or the
    oppijanumero of a person without one), audited with the actor and how much was found.

    :class:`InvalidHetu` for anything else. An oppijanumero is looked up by its shape alone:
    one with a wrong check digit was never stored, so it finds nobody, as KOSKI would."""
    given = identity.strip()[:64]
    who: Hetu | Oppijanumero
    if OPPIJANUMERO.fullmatch(given):
        who, by = Oppijanumero(given), "oppijanumero"
    else:
        who, by = Hetu.parse(given, today=services.clock().date(), allow_temporary=True), "hetu"
    export = services.people.person_export(who)
    details = {"by": by, "found": export.found, **export.counts()}
    subject = export.participant_id
    services.people.audit(
        AuditEntry(actor.audit_name, "person.exported", "participant", subject, details)
    )
    return export


def remove_result(
    services: StaffServices, result_id: int, actor: Actor, reason: str | None
) -> Removed:
    """Remove a participant's result on request, audited with the actor and ``reason`` (one
    of :data:`REMOVAL_REASONS`).

    With no KOSKI history it is deleted outright. With one it is kept, marked removed, and
    its submission held back: one KOSKI holds needs attention (staff invalidate it), one
    that never reached KOSKI is withdrawn. :class:`UnknownRemovalReason` for another reason,
    :class:`NotFound` for no such result, :class:`ResultBeingSent` while its record is on
    its way to KOSKI; each changes nothing."""
    if reason not in REMOVAL_REASONS:
        raise UnknownRemovalReason()
    participant_id, submission = services.people.result_for_removal(result_id)
    if submission is not None and submission.state is SubmissionState.IN_FLIGHT:
        raise ResultBeingSent(result_id)
    change = (
        None if submission is None else held_back(Binding.REMOVED, submission.state, submission.oid)
    )
    sub_id = None if submission is None else submission.submission_id
    details = {"result_id": result_id, "reason": reason, "submission_id": sub_id}
    entries = [
        AuditEntry(actor.audit_name, "result.removed", "participant", participant_id, details)
    ]
    if change is not None and sub_id is not None and not isinstance(change.state, Keep):
        held = {"attention": Binding.REMOVED.value}
        entries.append(
            AuditEntry(actor.audit_name, f"submission.{change.state}", "submission", sub_id, held)
        )
    if not services.people.remove_result(result_id, submission, change, entries):
        raise ResultBeingSent(result_id)
    live = (
        submission is not None and submission.oid is not None and submission.state not in KEPT_OUT
    )
    return Removed(submission is None, sub_id, live)


def delete_contact(services: StaffServices, enrolment_id: int, actor: Actor) -> None:
    """Delete an enrolment's contact details (the signer's email and phone) on request,
    audited with the actor; an invitation not yet made then reaches no one by itself, and
    staff hand the signing link over. :class:`NotFound` for no such enrolment."""
    entry = AuditEntry(actor.audit_name, "enrolment.contact_deleted", "enrolment", enrolment_id)
    services.people.delete_contact(enrolment_id, entry)
