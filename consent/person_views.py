"""What the ledger holds about one person, for their right of access: a typed read model.

Filled by an adapter from one query set (:class:`consent.adapters.sql.people.SqlPeople`) and
shown as one JSON document (:func:`export_json`) or a readable PDF. A person appears as a
participant (their consents, results, KOSKI records, enrolments) and as a signer (the
consents they signed as a guardian for someone else). Of someone they signed for, the export
shows only what the signed consent itself shows of them: their name, the hetu masked, the
course and the consent; never that person's results, KOSKI records or audit trail.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final

from consent.model import Participant, Person

FORMAT: Final = "vst-consent/person-export/1"  # the document's own name and version


@dataclass(frozen=True)
class ExportedConsent:
    """One of the person's consents for a course: where it stands and who signed it."""

    id: int
    course_code: str
    state: str
    reason: str | None
    document_id: str | None
    signed_at: dt.datetime | None
    received_at: dt.datetime
    signer_relation: str | None  # self, or guardian for a minor
    signer_name: str | None = field(default=None, repr=False)  # a guardian's, as they signed
    signer_hetu: str | None = field(default=None, repr=False)  # a guardian's, masked


@dataclass(frozen=True)
class SignedForOther:
    """A consent the person signed as a guardian for someone else, as the consent shows it."""

    consent_id: int
    course_code: str
    state: str
    document_id: str | None
    signed_at: dt.datetime | None
    participant_name: str = field(repr=False)
    participant_hetu: str = field(repr=False)  # masked: the date of birth hidden


@dataclass(frozen=True)
class ExportedResult:
    """A graded result of the person's, and what binding decided about it."""

    id: int
    course_code: str
    course_name: str
    grade: str | None
    graded_on: dt.date
    ended_on: dt.date | None
    status: str
    part_grades: dict[str, str]
    binding: str
    removed_at: dt.datetime | None


@dataclass(frozen=True)
class ExportedSubmission:
    """What was sent to KOSKI of a result, when, and what KOSKI answered last."""

    id: int
    result_id: int
    course_code: str
    state: str
    oid: str | None
    versionumero: int | None
    sent_at: dt.datetime | None
    last_status: int | None
    last_error_keys: tuple[str, ...]
    attention: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class ExportedRevocation:
    """A revocation of one of the person's consents (through OPH, or found from KOSKI)."""

    consent_id: int
    registered_at: dt.datetime
    source: str
    notified_on: dt.date | None


@dataclass(frozen=True)
class ExportedEnrolment:
    """An invitation to sign a course's consent that concerns the person: as the participant,
    or as the one who signs (a guardian). The contact details are the signer's, so they are
    shown only to the signer; the signed form to both."""

    id: int
    course_code: str
    role: str  # "participant", "signer", or "participant_and_signer" (an adult themself)
    state: str
    outcome_at: dt.datetime | None
    outcome_reason: str | None
    contact: dict[str, str] | None = field(repr=False)
    signed_pdf: bytes | None = field(repr=False)


@dataclass(frozen=True)
class ExportedAuditEvent:
    """One audit entry about the person, their consents, records or enrolments."""

    id: int
    occurred_at: dt.datetime
    actor: str
    action: str
    subject_type: str
    subject_id: int | None
    details: dict[str, Any]


@dataclass(frozen=True)
class PersonExport:
    """Everything the ledger holds about one person; ``person`` None when it holds nothing."""

    person: Participant | None
    participant_id: int | None
    consents: tuple[ExportedConsent, ...] = ()
    signed_for_others: tuple[SignedForOther, ...] = ()
    results: tuple[ExportedResult, ...] = ()
    submissions: tuple[ExportedSubmission, ...] = ()
    revocations: tuple[ExportedRevocation, ...] = ()
    enrolments: tuple[ExportedEnrolment, ...] = ()
    audit: tuple[ExportedAuditEvent, ...] = ()

    @property
    def found(self) -> bool:
        """Whether the ledger holds anything about the person."""
        return self.person is not None

    def counts(self) -> dict[str, int]:
        """How many of each the export holds: the audit trail records these, never the data."""
        return {
            "consents": len(self.consents),
            "signed_for_others": len(self.signed_for_others),
            "results": len(self.results),
            "submissions": len(self.submissions),
            "revocations": len(self.revocations),
            "enrolments": len(self.enrolments),
            "signed_pdfs": sum(e.signed_pdf is not None for e in self.enrolments),
            "audit_events": len(self.audit),
        }


def signed_pdf_name(enrolment: ExportedEnrolment) -> str:
    """The file name a signed consent form goes by in the export (JSON and PDF alike)."""
    return f"suostumus-{enrolment.id}-{enrolment.course_code}.pdf"


def _identity(person: Participant) -> dict[str, str]:
    """The person's identity as the export names it: the hetu, or the oppijanumero and the
    birth date staff recorded."""
    if isinstance(person, Person):
        return {"hetu": person.hetu.reveal()}
    return {"oppijanumero": person.oid.reveal(), "birth_date": person.birth_date.isoformat()}


def export_json(export: PersonExport, exported_at: dt.datetime) -> dict[str, Any]:
    """The export as one JSON document, keys in this order, lists by id: apart from
    ``exported_at`` the same ledger gives the same document."""
    person = export.person
    return {
        "format": FORMAT,
        "exported_at": exported_at.isoformat(),
        "found": export.found,
        "person": None
        if person is None
        else {
            **_identity(person),
            "first_names": person.first_names,
            "last_name": person.last_name,
        },
        "consents": [_consent(c) for c in export.consents],
        "signed_for_others": [_signed_for(s) for s in export.signed_for_others],
        "results": [_result(r) for r in export.results],
        "koski_submissions": [_submission(s) for s in export.submissions],
        "revocations": [_revocation(r) for r in export.revocations],
        "enrolments": [_enrolment(e) for e in export.enrolments],
        "audit_events": [_audit(a) for a in export.audit],
    }


def _when(value: dt.datetime | dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _consent(c: ExportedConsent) -> dict[str, Any]:
    return {
        "id": c.id,
        "course_code": c.course_code,
        "state": c.state,
        "reason": c.reason,
        "document_id": c.document_id,
        "signed_at": _when(c.signed_at),
        "received_at": _when(c.received_at),
        "signer_relation": c.signer_relation,
        "signer": None if c.signer_name is None else {"name": c.signer_name, "hetu": c.signer_hetu},
    }


def _signed_for(s: SignedForOther) -> dict[str, Any]:
    return {
        "consent_id": s.consent_id,
        "course_code": s.course_code,
        "state": s.state,
        "document_id": s.document_id,
        "signed_at": _when(s.signed_at),
        "participant": {"name": s.participant_name, "hetu": s.participant_hetu},
    }


def _result(r: ExportedResult) -> dict[str, Any]:
    return {
        "id": r.id,
        "course_code": r.course_code,
        "course_name": r.course_name,
        "grade": r.grade,
        "graded_on": _when(r.graded_on),
        "ended_on": _when(r.ended_on),
        "status": r.status,
        "part_grades": dict(sorted(r.part_grades.items())),
        "binding": r.binding,
        "removed_at": _when(r.removed_at),
    }


def _submission(s: ExportedSubmission) -> dict[str, Any]:
    return {
        "id": s.id,
        "result_id": s.result_id,
        "course_code": s.course_code,
        "state": s.state,
        "oid": s.oid,
        "versionumero": s.versionumero,
        "sent_at": _when(s.sent_at),
        "last_status": s.last_status,
        "last_error_keys": list(s.last_error_keys),
        "attention": s.attention,
        "created_at": _when(s.created_at),
    }


def _revocation(r: ExportedRevocation) -> dict[str, Any]:
    return {
        "consent_id": r.consent_id,
        "registered_at": _when(r.registered_at),
        "source": r.source,
        "notified_on": _when(r.notified_on),
    }


def _enrolment(e: ExportedEnrolment) -> dict[str, Any]:
    pdf = e.signed_pdf
    return {
        "id": e.id,
        "course_code": e.course_code,
        "role": e.role,
        "state": e.state,
        "outcome_at": _when(e.outcome_at),
        "outcome_reason": e.outcome_reason,
        "contact": e.contact,
        "signed_pdf": None
        if pdf is None
        else {
            "file_name": signed_pdf_name(e),
            "media_type": "application/pdf",
            "base64": base64.b64encode(pdf).decode("ascii"),
        },
    }


def _audit(a: ExportedAuditEvent) -> dict[str, Any]:
    return {
        "id": a.id,
        "occurred_at": _when(a.occurred_at),
        "actor": a.actor,
        "action": a.action,
        "subject_type": a.subject_type,
        "subject_id": a.subject_id,
        "details": a.details,
    }
