"""Staff record a consent from a signed paper form (or identity checked in person).

It follows the signed consent's rules (:mod:`consent.rules`): an adult signs for themself, a
minor's guardian, another adult, for them, judged on the signing day; a later signing
replaces a cancelled or withdrawn consent and a revoked one is never replaced. What breaks a
rule is refused and nothing is recorded. What is recorded is audited with the staff member
(``consent.recorded``: ids and codes, never a hetu or a name), and the participant's results
for the course are bound again, as after a signed consent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Final

from consent.errors import ConsentNotRecorded, UnknownCourse
from consent.events import EventKind
from consent.model import AuditEntry, ConsentRecord, ConsentState, Person
from consent.recorded_consents import (
    PaperConsent,
    SignedBy,
    check_pdf,
    signer_of,
    signing_instant,
)
from consent.rules import decide_signer, identity, next_state
from consent.staff import Actor
from consent.staff_actions.services import StaffServices

REVOKED: Final = "has been revoked through OPH: it is never recorded again"


@dataclass(frozen=True)
class Recorded:
    """The consent recorded, and how many of the participant's results are bound anew."""

    consent_id: int
    participant_id: int
    relation: str
    results: int


def record_consent(services: StaffServices, form: PaperConsent, actor: Actor) -> Recorded:
    """Record ``form`` as the participant's consent for its course.

    :class:`UnknownCourse` for a course not defined; :class:`ConsentNotRecorded` for a form
    that is no PDF, a day in the future, or a signer who may not consent for the participant
    (the reason is the signed consent's own)."""
    if services.recorded is None or services.courses.find_course(form.course_code) is None:
        raise UnknownCourse(form.course_code)
    pdf = check_pdf(form.pdf)
    signed_at = signing_instant(form.signed_on, services.clock().date())
    decision = decide_signer(identity(form.participant), signer_of(form), signed_at)
    if decision.state is not ConsentState.VALID:
        raise ConsentNotRecorded("signed_by", decision.reason or "may not sign")
    with services.recorded.recording() as tx:
        participant_id = tx.save_participant(form.participant)
        current = tx.consent_for(form.course_code, participant_id)
        sent = current is not None and current.id is not None and tx.any_sent(current.id)
        transition = next_state(
            current.state if current else None, EventKind.SIGNED, decision, sent
        )
        if transition.state is None:
            raise ConsentNotRecorded("consent", REVOKED)
        record = ConsentRecord(
            id=current.id if current else None,
            course_code=form.course_code,
            participant_id=participant_id,
            state=transition.state,
            reason=None,
            document_id=f"staff-{uuid.uuid4()}",
            signed_at=signed_at,
            signer_relation=decision.relation,
            signer=_signer(form),
            inbox_id=None,
            event_at=services.clock(),
        )
        consent_id = tx.save_consent(record)
        tx.keep_form(consent_id, pdf, actor.audit_name, _named_guardian(form))
        tx.audit(_entry(form, actor, consent_id, participant_id, decision.relation or ""))
        results = tx.results_of(form.course_code, participant_id)
    if results:
        services.jobs.enqueue_result_bindings(results)
    return Recorded(consent_id, participant_id, decision.relation or "", len(results))


def _signer(form: PaperConsent) -> Person | None:
    """Who signed, as a consent keeps its signer: a person with a hetu, else no one (an oid
    person signing for themself is the participant; a guardian by name is kept by name)."""
    if form.signed_by is SignedBy.PARTICIPANT:
        return form.participant if isinstance(form.participant, Person) else None
    guardian = form.guardian
    if guardian is None or guardian.hetu is None:
        return None
    return Person(guardian.hetu, guardian.first_names, guardian.last_name)


def _named_guardian(form: PaperConsent) -> tuple[str, str] | None:
    guardian = form.guardian
    if form.signed_by is not SignedBy.GUARDIAN or guardian is None or guardian.hetu is not None:
        return None
    return guardian.first_names, guardian.last_name


def _entry(
    form: PaperConsent, actor: Actor, consent_id: int, participant_id: int, relation: str
) -> AuditEntry:
    details = {
        "course_code": form.course_code,
        "participant_id": participant_id,
        "relation": relation,
        "identified_by": "hetu" if isinstance(form.participant, Person) else "oppijanumero",
        "signed_on": form.signed_on.isoformat(),
        "pdf_bytes": len(form.pdf),
    }
    return AuditEntry(actor.audit_name, "consent.recorded", "consent", consent_id, details)
