"""What staff read about a course: a typed row per participant, built for reading.

The read side of the ledger (cosmicpython's ``views.py``): an adapter fills these from one
query set; the API, the pages and the CLI show them. A participant is masked unless staff
asked for that one person by hetu, so a list never carries a full hetu or name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final
from zoneinfo import ZoneInfo

from consent.model import (
    RETRYABLE,
    Binding,
    ConsentState,
    Participant,
    Person,
    SubmissionState,
)
from consent.results import ResultStatus

MASK: Final = "******"  # in place of the hetu's date of birth
OID_MASK: Final = "1.2.246.562.24.*******"  # an oppijanumero but its last four digits
MOVING: Final = frozenset({SubmissionState.PENDING, SubmissionState.IN_FLIGHT})
# Once a record is sent (or stopped), its last error is history; before, it says what is wrong.
ERROR_STANDS: Final = frozenset(
    {SubmissionState.FAILED, SubmissionState.PARKED, SubmissionState.PENDING}
)
PENDING_BINDING: Final = Binding.PENDING.value  # a result imported, not yet judged
NO_RESULT: Final = "no_result"  # a consent with no result yet: the trainer has yet to assess them
FINNISH_TIME: Final = ZoneInfo("Europe/Helsinki")  # the day a course ends is a Finnish day


@dataclass(frozen=True)
class ShownParticipant:
    """A participant as staff see them in a status row: masked, or in full when asked for."""

    hetu: str = field(repr=False)
    name: str = field(repr=False)


def shown(person: Participant, *, asked_for: bool = False) -> ShownParticipant:
    """The person masked (the hetu's last characters and initials), or in full only when
    staff asked for this one person by hetu. A person without a hetu shows their
    oppijanumero in the hetu's place, masked the same way (its last four digits)."""
    number = person.hetu.reveal() if isinstance(person, Person) else person.oid.reveal()
    if asked_for:
        name = f"{person.first_names} {person.last_name}".strip()
        return ShownParticipant(number, name)
    initials = " ".join(f"{n[0]}." for n in (person.first_names, person.last_name) if n)
    if isinstance(person, Person):
        return ShownParticipant(MASK + number[6:], initials)
    return ShownParticipant(OID_MASK + number[-4:], initials)


@dataclass(frozen=True)
class ConsentSummary:
    """The participant's consent for the course: where it stands and who signed it."""

    id: int
    state: ConsentState
    reason: str | None
    signer_relation: str | None
    signed_after_end: bool = False  # signed after the course had ended: accepted, and flagged
    recorded_by_staff: bool = False  # recorded from a paper form, not signed with bank ID

    @property
    def valid(self) -> bool:
        """Whether the consent stands (and so may be revoked)."""
        return self.state is ConsentState.VALID


def signed_after_end(signed_at: dt.datetime | None, end_date: dt.date) -> bool:
    """Whether a consent was signed (in Finnish time) after the course's last day: it binds
    as any other, but staff see it, since consent is asked for at the start of a course."""
    return signed_at is not None and signed_at.astimezone(FINNISH_TIME).date() > end_date


@dataclass(frozen=True)
class ResultSummary:
    """The participant's result as it was imported."""

    grade: str | None
    graded_on: dt.date
    status: ResultStatus
    ended_on: dt.date | None = None  # the participant's own end date, if the row gave one


@dataclass(frozen=True)
class SubmissionSummary:
    """The transfer of the result to KOSKI: its state, KOSKI's ids and its last answer."""

    id: int
    state: SubmissionState
    oid: str | None
    versionumero: int | None
    attempts: int
    last_status: int | None
    last_error_keys: tuple[str, ...] | None
    last_error_message: str | None
    attention: str | None = None  # why its live KOSKI record is in doubt (a binding's code)

    @property
    def retryable(self) -> bool:
        """Whether staff may send it again (it was parked or refused)."""
        return self.state in RETRYABLE

    @property
    def error_stands(self) -> bool:
        """Whether its last error still describes it: it failed, was parked, or waits."""
        return self.state in ERROR_STANDS


@dataclass(frozen=True)
class ParticipantStatus:
    """One participant's row of a course's status: consent, result, binding, submission.
    A consent with no result yet is a row too (``result`` None, binding :data:`NO_RESULT`),
    so trainers see whom they have still to assess."""

    result_id: int | None
    participant: ShownParticipant
    consent: ConsentSummary | None
    result: ResultSummary | None
    binding: str
    submission: SubmissionSummary | None
    participant_id: int  # the ledger's row: whom an unmasked look-up is audited as about
    collides_with: str | None = None  # KOSKI refused it as a duplicate of this course's record

    @property
    def moving(self) -> bool:
        """Whether work for this row is under way (binding or sending), so a page refreshes."""
        sending = self.submission is not None and self.submission.state in MOVING
        return sending or self.binding == PENDING_BINDING


def status_json(row: ParticipantStatus) -> dict[str, Any]:
    """The row as the API and ``status --json`` show it, keys in this order."""
    consent, result, sub = row.consent, row.result, row.submission
    return {
        "result_id": row.result_id,
        "participant": {"hetu": row.participant.hetu, "name": row.participant.name},
        "consent": None
        if consent is None
        else {
            "id": consent.id,
            "state": consent.state.value,
            "reason": consent.reason,
            "signer_relation": consent.signer_relation,
            "signed_after_end": consent.signed_after_end,
            "recorded_by_staff": consent.recorded_by_staff,
        },
        "result": None if result is None else _result_json(result),
        "binding": row.binding,
        "submission": None if sub is None else _submission_json(sub),
        "collides_with": row.collides_with,
    }


def _result_json(result: ResultSummary) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "grade": result.grade,
        "graded_on": result.graded_on.isoformat(),
        "status": result.status.value,
    }
    if result.ended_on is not None:  # only when the row gave one: else the course's end date
        shown["ended_on"] = result.ended_on.isoformat()
    return shown


def _submission_json(sub: SubmissionSummary) -> dict[str, Any]:
    keys = None if sub.last_error_keys is None else list(sub.last_error_keys)
    return {
        "id": sub.id,
        "state": sub.state.value,
        "oid": sub.oid,
        "versionumero": sub.versionumero,
        "attempts": sub.attempts,
        "last_status": sub.last_status,
        "last_error_keys": keys,
        "last_error_message": sub.last_error_message,
        "attention": sub.attention,
    }


@dataclass(frozen=True)
class UnknownCourseConsent:
    """A consent for a course code no course has (yet), as staff see it, masked: it was
    accepted, and binds to its course once staff define it and import its results."""

    consent_id: int
    course_code: str
    participant: ShownParticipant
    state: ConsentState
    signer_relation: str | None  # self, or guardian for a minor
    signed_at: dt.datetime | None
    received_at: dt.datetime


def unknown_course_json(consent: UnknownCourseConsent) -> dict[str, Any]:
    """The consent as the API and ``consents unknown --json`` show it."""
    signed = consent.signed_at
    return {
        "consent_id": consent.consent_id,
        "course_code": consent.course_code,
        "participant": {"hetu": consent.participant.hetu, "name": consent.participant.name},
        "state": consent.state.value,
        "signer_relation": consent.signer_relation,
        "signed_at": None if signed is None else signed.isoformat(),
        "received_at": consent.received_at.isoformat(),
    }
