"""A KOSKI submission: what sending one reads, the typed changes stored to it, and the pure
decisions that choose them (binding its result again, before a call, after KOSKI's answer,
after an invalidation). No I/O: the use cases in :mod:`consent.grading` store what these decide.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Final, NamedTuple

from consent.courses import Course
from consent.errors import UnreadableAnswer
from consent.koski_answers import Judgement, Verdict
from consent.koski_payload import StudyRight
from consent.model import ConsentState, Participant, SubmissionState
from consent.results import GradedResult

# Stopped for good: nothing under a revoked consent, or of a record KOSKI deleted, is sent again.
STOPPED: Final = frozenset({SubmissionState.REVOKED, SubmissionState.DELETED})
# What a send leaves alone: stopped, invalidated (only staff send it again: binding a
# corrected result does not), or held back because its result may no longer be sent
# (attention, withdrawn).
ENDED: Final = STOPPED | {
    SubmissionState.INVALIDATED,
    SubmissionState.ATTENTION,
    SubmissionState.WITHDRAWN,
}
# What the ledger may hold back without a contradiction: nothing under it reached KOSKI, or
# it ended already. A revoked consent is no contradiction: KOSKI deletes the record itself.
HELD_BACK: Final = ENDED | {SubmissionState.IN_FLIGHT}
# What binding its result again never sends anew: stopped for good, or invalidated (only
# staff send an invalidated record again: a corrected row or a new consent event does not).
KEPT_OUT: Final = STOPPED | {SubmissionState.INVALIDATED}


class Keep(enum.Enum):
    """The value of a change's field that leaves the stored value as it is."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP


@dataclass(frozen=True)
class SubmissionChange:
    """What to store on a submission, field by field; a field left at :data:`KEEP` is kept."""

    state: SubmissionState | Keep = KEEP
    attempts: int | Keep = KEEP
    next_attempt_at: dt.datetime | Keep | None = KEEP
    oid: str | Keep | None = KEEP
    versionumero: int | Keep | None = KEEP
    payload_hash: str | Keep | None = KEEP
    sent_at: dt.datetime | Keep = KEEP
    last_status: int | Keep | None = KEEP
    last_error_keys: tuple[str, ...] | Keep | None = KEEP
    last_error_message: str | Keep | None = KEEP
    attention: str | Keep | None = KEEP  # why a live record is in doubt (a binding's code)

    def stored(self) -> dict[str, object]:
        """The fields this change sets, by name (an adapter turns them into its columns)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: value for name, value in values.items() if value is not KEEP}


@dataclass(frozen=True)
class SendView:
    """Everything a submission needs to build and send its payload."""

    submission_id: int
    state: SubmissionState
    attempts: int
    payload_hash: str | None
    right: StudyRight
    course: Course
    person: Participant
    result: GradedResult
    consent_id: int | None
    consent_state: ConsentState | None
    claimed_by: str | None = None


class Unsent(NamedTuple):
    """A submission waiting for its first send: pending, or in flight since ``claimed_by``
    (a job id) took it."""

    submission_id: int
    state: SubmissionState
    claimed_by: str | None


@dataclass(frozen=True)
class Outcome:
    """What an attempt came to: its state, the change that stores it (None: nothing to
    store), when to try again, and the consent KOSKI said was revoked, if it did."""

    state: SubmissionState
    change: SubmissionChange | None
    retry_in: dt.timedelta | None = None
    revokes: int | None = None


# Pending again with a fresh count of attempts: a first send, not a retry (nothing in doubt).
FRESH: Final = SubmissionChange(
    state=SubmissionState.PENDING, attempts=0, next_attempt_at=None, attention=None
)
NAMES_MISSING: Final = "the participant's names are unknown: import them with the results"
CONSENT_GONE: Final = "consent is no longer valid; nothing is sent"
GONE_FROM_KOSKI: Final = (
    "gone from KOSKI: the participant revoked the consent in Oma Opintopolku, or the record"
    " was removed in KOSKI; nothing is sent again on its own"
)


def new_source_id() -> str:
    """A fresh lähdejärjestelmänId. It is committed before the first call, so a retry after a
    lost answer updates the same record instead of creating a second one."""
    return f"vstc-{uuid.uuid4().hex}"


def reopened(state: SubmissionState) -> SubmissionChange | None:
    """What binding an eligible result again does to its submission (one not stopped):
    :data:`FRESH`, but one pending already keeps the time of its retry; None for one in
    flight, whose sender records what it came to."""
    if state is SubmissionState.IN_FLIGHT:
        return None
    if state is SubmissionState.PENDING:
        return SubmissionChange(state=SubmissionState.PENDING, attempts=0)
    return FRESH


def held_back(binding: str, state: SubmissionState, oid: str | None) -> SubmissionChange | None:
    """What binding a result that may not be sent (``binding`` says why) does to its
    submission: one holding a live KOSKI record needs attention (staff decide whether to
    invalidate: nothing is invalidated on its own), one that never reached KOSKI is
    withdrawn; None for one ended or in flight, and under a revoked consent."""
    if state in HELD_BACK or binding == "consent_revoked":
        return None
    if oid is not None:
        return SubmissionChange(state=SubmissionState.ATTENTION, attention=binding)
    return SubmissionChange(state=SubmissionState.WITHDRAWN, next_attempt_at=None)


def unsendable(view: SendView) -> Outcome | None:
    """What a send comes to before any payload is built: nothing at all for one that ended
    (stopped, or invalidated), revoked for one whose consent is no longer valid."""
    if view.state in ENDED:
        return Outcome(view.state, None)
    if view.consent_state is not ConsentState.VALID:
        revoked = SubmissionState.REVOKED
        return Outcome(revoked, SubmissionChange(state=revoked, last_error_message=CONSENT_GONE))
    return None


def before_sending(view: SendView, digest: str) -> Outcome | None:
    """What a send comes to without calling KOSKI, or None when its payload (hashed
    ``digest``) must go: KOSKI holds that payload already, or the names are missing."""
    if view.right.oid is not None and view.payload_hash == digest:
        # KOSKI holds this very payload: binding again (a consent signed anew, a batch
        # retried) or a retry by staff has nothing to send.
        sent = SubmissionState.SENT
        change = SubmissionChange(state=sent, next_attempt_at=None)
        return Outcome(sent, None if view.state is sent else change)
    if not (view.person.first_names and view.person.last_name):
        failed = SubmissionState.FAILED
        change = SubmissionChange(
            state=failed,
            last_error_keys=("local.nimetPuuttuvat",),
            last_error_message=NAMES_MISSING,
        )
        return Outcome(failed, change)
    return None


def after_answer(
    view: SendView,
    status: int | None,
    judgement: Judgement,
    *,
    digest: str,
    now: dt.datetime,
    retry_delays: Sequence[int],
) -> Outcome:
    """What KOSKI's answer (``status``, judged) to sending ``view``'s payload comes to: kept,
    tried again later (then parked for staff), or stopped; its trace is kept whatever it says."""
    answered = trace(status, judgement)
    if judgement.verdict is Verdict.STORED:
        return _stored(view, judgement, answered, digest, now)
    if judgement.verdict is Verdict.RETRY:
        delay = next_retry(view.attempts + 1, retry_delays)
        if delay is None:
            parked = SubmissionState.PARKED
            return Outcome(parked, replace(answered, state=parked, next_attempt_at=None))
        pending = SubmissionState.PENDING
        change = replace(answered, state=pending, next_attempt_at=now + delay)
        return Outcome(pending, change, delay)
    stopped = stopped_by_koski(view, status, judgement)
    if stopped is not None:
        return stopped
    failed = SubmissionState.FAILED
    return Outcome(failed, replace(answered, state=failed))


def stopped_by_koski(view: SendView, status: int | None, judgement: Judgement) -> Outcome | None:
    """What an answer on any call about ``view``'s record (a send, a read back) comes to when
    KOSKI says it is over: a 403 ``forbidden.suostumusPeruttu`` revokes the consent, a 404 on
    the known record marks it deleted in KOSKI (never sent again on its own); None otherwise."""
    answered = trace(status, judgement)
    if judgement.verdict is Verdict.REVOKED and view.consent_id is not None:
        revoked = SubmissionState.REVOKED
        return Outcome(revoked, replace(answered, state=revoked), revokes=view.consent_id)
    if judgement.verdict is Verdict.DELETED:
        deleted = SubmissionState.DELETED
        change = replace(answered, state=deleted, last_error_message=GONE_FROM_KOSKI)
        return Outcome(deleted, change)
    return None


def _stored(
    view: SendView, judgement: Judgement, answered: SubmissionChange, digest: str, now: dt.datetime
) -> Outcome:
    """KOSKI stored the record: keep its oid and versionumero and the payload's hash."""
    if judgement.oid is None or judgement.versionumero is None:
        raise UnreadableAnswer(f"submission {view.submission_id}: KOSKI named no record")
    sent = SubmissionState.SENT
    change = replace(
        answered,
        state=sent,
        oid=judgement.oid,
        versionumero=judgement.versionumero,
        payload_hash=digest,
        sent_at=now,
        next_attempt_at=None,
    )
    return Outcome(sent, change)


def after_invalidation(view: SendView, status: int | None, judgement: Judgement) -> Outcome:
    """What KOSKI's answer (``status``, judged) to a mitätöinti comes to: invalidated, its
    oid forgotten so that sending it again (staff only) creates a new record (one deleted
    already is the same end); otherwise the submission stays as it was, with the answer's
    trace."""
    answered = trace(status, judgement)
    if judgement.verdict is Verdict.REVOKED:  # the participant revoked first: the same end
        return stopped_by_koski(view, status, judgement) or Outcome(view.state, answered)
    if judgement.verdict not in (Verdict.STORED, Verdict.DELETED):
        return Outcome(view.state, answered)
    invalidated = SubmissionState.INVALIDATED
    change = replace(
        answered, state=invalidated, oid=None, versionumero=None, payload_hash=None, attention=None
    )
    return Outcome(invalidated, change)


def trace(status: int | None, judgement: Judgement) -> SubmissionChange:
    """An answer as it is kept on the submission: its status, KOSKI's keys and message."""
    return SubmissionChange(
        last_status=status,
        last_error_keys=judgement.keys or None,
        last_error_message=judgement.message,
    )


def next_retry(attempt: int, delays: Sequence[int]) -> dt.timedelta | None:
    """The wait after failed attempt number ``attempt``; None once retries are used up."""
    return dt.timedelta(seconds=delays[attempt - 1]) if attempt <= len(delays) else None
