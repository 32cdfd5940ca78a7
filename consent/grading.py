"""Use cases of the grading sync and the KOSKI transfer (DESIGN §3.3–3.4)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple, Protocol

from consent.courses import Course
from consent.errors import BindingFailed, SendingFailed, UnreadableAnswer
from consent.koski_answers import KoskiAnswer, Verdict, judge
from consent.koski_payload import GradedResult, StudyRight, build_payload, payload_hash
from consent.model import AuditEntry, ConsentState, Person, SubmissionState
from consent.results import ImportedResult, ResultStatus, check_rows, is_passed

Clock = Callable[[], dt.datetime]
# Seconds to wait after each failed attempt (KOSKI_RETRY_DELAYS); then parked for staff.
RETRY_DELAYS: Final = (10, 30, 60, 120, 300, 600, 1800, 3600)
# Why staff invalidate a record: codes, so the audit trail never holds free text (or a name).
INVALIDATION_REASONS: Final = ("wrong_person", "wrong_result", "no_consent", "sent_twice", "other")


@dataclass(frozen=True)
class ResultForBinding:
    """What binding a result needs to know."""

    result_id: int
    course_code: str
    participant_id: int
    grade: str | None
    status: ResultStatus
    part_grades: dict[str, str]


@dataclass(frozen=True)
class SendView:
    """Everything a submission needs to build and send its payload."""

    submission_id: int
    state: SubmissionState
    attempts: int
    payload_hash: str | None
    right: StudyRight
    course: Course
    person: Person
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


Decide = Callable[[ConsentState | None, ResultForBinding], str]
"""Given the consent's state and the result: ``eligible`` or why not (see :func:`eligibility`)."""


class Grading(Protocol):
    """The grading side of the ledger (``SqlGrading`` in production)."""

    def find_course(self, code: str) -> Course | None: ...
    def store_results(
        self, course_code: str, results: list[ImportedResult], actor: str
    ) -> tuple[list[int], int]: ...
    def bind(
        self, result_id: int, source_system: str, decide: Decide
    ) -> tuple[str, int | None]: ...
    def send_view(self, submission_id: int) -> SendView: ...
    def unsent(self, first_id: int, last_id: int) -> list[Unsent]: ...
    def claim(
        self, submission_id: int, state: SubmissionState, attempts: int, by: str | None
    ) -> bool: ...
    def defer(self, submission_ids: Sequence[int], until: dt.datetime) -> None: ...
    def update_submission(self, submission_id: int, **values: Any) -> None: ...
    def revoke(
        self, consent_id: int, by: str, source: str, notified_on: dt.date | None = None
    ) -> list[int]: ...
    def record(self, entry: AuditEntry) -> None: ...


class Jobs(Protocol):
    """Queues the grading jobs; arguments are row ids."""

    def enqueue_result_bindings(self, result_ids: Iterable[int]) -> None: ...
    def enqueue_submissions(self, submission_ids: Iterable[int]) -> None: ...
    def enqueue_submission(self, submission_id: int, delay: dt.timedelta | None = None) -> None: ...


class Koski(Protocol):
    """KOSKI's source-system API."""

    def put_oppija(self, payload: dict[str, Any]) -> KoskiAnswer: ...


@dataclass(frozen=True)
class ImportSummary:
    """What an import changed."""

    changed: int
    unchanged: int


def import_results(
    course: Course,
    rows: list[dict[str, Any]],
    grading: Grading,
    jobs: Jobs,
    *,
    today: dt.date,
    actor: str,
    allow_temporary: bool = False,
) -> ImportSummary:
    """Check every row, store all or nothing, and queue binding for what is new or changed."""
    results = check_rows(rows, course, today, allow_temporary)
    changed, unchanged = grading.store_results(course.code, results, actor)
    jobs.enqueue_result_bindings(changed)
    return ImportSummary(len(changed), unchanged)


def eligibility(consent: ConsentState | None, result: ResultForBinding) -> str:
    """``eligible``, or the reason this result is never sent."""
    if consent is None:
        return "no_consent"
    if consent is not ConsentState.VALID:
        reasons = {
            ConsentState.REJECTED: "consent_rejected",
            ConsentState.REVOKED: "consent_revoked",
        }
        return reasons.get(consent, "consent_cancelled")
    if result.status is ResultStatus.COMPLETED and not is_passed(result.grade):
        return "not_passed"
    if result.status is ResultStatus.INTERRUPTED and not any(
        is_passed(g) for g in result.part_grades.values()
    ):
        return "no_assessed_part"  # KOSKI needs at least one assessed part, even when interrupted
    return "eligible"


def bind_results(
    result_ids: Sequence[int], grading: Grading, jobs: Jobs, source_system: str
) -> dict[str, int]:
    """Bind each result in its own transaction, then queue the submissions of the eligible
    ones together; how many came to each binding.

    One result that fails does not hold up the rest of its batch: once all were tried (and
    the others' submissions queued), :class:`BindingFailed` names the failed ones (chained
    to the first error) and holds the others' bindings, so the job runs again.
    """
    bound: dict[int, str] = {}
    to_send: list[int] = []
    errors: dict[int, str] = {}
    first: Exception | None = None
    for result_id in result_ids:
        try:
            binding, submission_id = grading.bind(result_id, source_system, eligibility)
        except Exception as error:  # noqa: BLE001 - raised below, once the rest are bound
            errors[result_id] = type(error).__name__
            first = first or error
        else:
            bound[result_id] = binding
            if submission_id is not None:
                to_send.append(submission_id)
    jobs.enqueue_submissions(to_send)
    if errors:
        raise BindingFailed(errors, bound) from first
    return dict(Counter(bound.values()))


@dataclass(frozen=True)
class Sent:
    """What a submission attempt came to, and when to try again, if at all."""

    state: SubmissionState
    retry_in: dt.timedelta | None = None


def submit_range(  # noqa: PLR0917 - the range, four adapters, two timings
    first_id: int,
    last_id: int,
    grading: Grading,
    koski: Koski,
    jobs: Jobs,
    clock: Clock,
    retry_delays: Sequence[int] = RETRY_DELAYS,
    recheck_after: dt.timedelta = dt.timedelta(minutes=1),
    *,
    run: str,
) -> dict[int, SubmissionState]:
    """Send, one by one, every submission with an id from ``first_id`` to ``last_id`` that
    waits for its first send; what each came to. ``run`` is the job's id.

    Each is judged, claimed (in the name of ``run``), sent and recorded in transactions of
    its own, as by :func:`submit`. One in flight that ``run`` claimed was left so by a run
    of this job that was killed: it is sent again, after the others, so that one which
    kills its sender holds up no other. One that another job claimed may be being sent
    right now: it gets a job of its own after ``recheck_after`` (longer than a KOSKI call
    may take), which sends it again only if it is still in flight then. On the first answer
    that asks to wait (KOSKI down, throttling), the rest of the range wait as long, each
    with a job of its own, instead of being sent into a failing KOSKI. One submission that
    raises does not hold up the others: :class:`SendingFailed` names it once the rest were
    tried, holding what they came to, and the job runs again.
    """
    states: dict[int, SubmissionState] = {}
    errors: dict[int, str] = {}
    first: Exception | None = None
    waiting = sorted(  # stable: in order of id, those in flight last
        grading.unsent(first_id, last_id), key=lambda row: row.state is SubmissionState.IN_FLIGHT
    )
    for index, listed in enumerate(waiting):
        submission_id = listed.submission_id
        if listed.state is SubmissionState.IN_FLIGHT and listed.claimed_by != run:
            jobs.enqueue_submission(submission_id, recheck_after)
            states[submission_id] = listed.state
            continue
        try:
            sent = submit(
                submission_id, grading, koski, clock, retry_delays, listed=listed, run=run
            )
        except Exception as error:  # noqa: BLE001 - raised below, once the rest are sent
            errors[submission_id] = type(error).__name__
            first = first or error
            continue
        states[submission_id] = sent.state
        if sent.retry_in is not None:  # the rest wait as long; one in flight no less than
            rest = waiting[index + 1 :]  # it would have waited for its check
            pending = [row.submission_id for row in rest if row.state is SubmissionState.PENDING]
            grading.defer(pending, clock() + sent.retry_in)
            jobs.enqueue_submission(submission_id, sent.retry_in)
            for row in rest:
                in_flight = row.state is SubmissionState.IN_FLIGHT
                wait = max(sent.retry_in, recheck_after) if in_flight else sent.retry_in
                jobs.enqueue_submission(row.submission_id, wait)
            break
    if errors:
        raise SendingFailed(errors, {row: state.value for row, state in states.items()}) from first
    return states


def submit(
    submission_id: int,
    grading: Grading,
    koski: Koski,
    clock: Clock,
    retry_delays: Sequence[int] = RETRY_DELAYS,
    *,
    listed: Unsent | None = None,
    run: str | None = None,
) -> Sent:
    """Send one result to KOSKI, or decide not to; records the outcome either way.

    ``run`` is the sending job's id, recorded with the claim. With ``listed`` (what a range
    job read a while ago), a submission another job has claimed since is left alone.
    """
    view = grading.send_view(submission_id)
    ended = (SubmissionState.REVOKED, SubmissionState.DELETED, SubmissionState.INVALIDATED)
    taken = listed is not None and (view.state, view.claimed_by) != (
        listed.state,
        listed.claimed_by,
    )
    if view.state in ended or taken:
        return Sent(view.state)
    if view.consent_state is not ConsentState.VALID:
        grading.update_submission(
            submission_id,
            state=SubmissionState.REVOKED.value,
            last_error_message="consent is no longer valid; nothing is sent",
        )
        return Sent(SubmissionState.REVOKED)
    payload = build_payload(view.course, view.person, view.result, view.right)
    digest = payload_hash(payload)
    if view.right.oid is not None and view.payload_hash == digest:
        # KOSKI holds this very payload: binding again (a consent signed anew, a batch
        # retried) or a retry by staff has nothing to send.
        if view.state is not SubmissionState.SENT:
            grading.update_submission(
                submission_id, state=SubmissionState.SENT.value, next_attempt_at=None
            )
        return Sent(SubmissionState.SENT)
    if not (view.person.first_names and view.person.last_name):
        grading.update_submission(
            submission_id,
            state=SubmissionState.FAILED.value,
            last_error_keys=["local.nimetPuuttuvat"],
            last_error_message="the participant's names are unknown: import them with the results",
        )
        return Sent(SubmissionState.FAILED)
    if not grading.claim(submission_id, view.state, view.attempts, run):
        return Sent(SubmissionState.IN_FLIGHT)  # another job took it since we read it
    answer = koski.put_oppija(payload)
    return _record(view, answer, digest, grading, clock, retry_delays)


def _record(  # noqa: PLR0917 - one call site, in submit()
    view: SendView,
    answer: KoskiAnswer,
    digest: str,
    grading: Grading,
    clock: Clock,
    retry_delays: Sequence[int],
) -> Sent:
    judgement = judge(answer, known_oid=view.right.oid is not None)
    errors = {
        "last_status": answer.status,
        "last_error_keys": list(judgement.keys) or None,
        "last_error_message": judgement.message,
    }
    sid = view.submission_id
    if judgement.verdict is Verdict.STORED:
        if judgement.oid is None or judgement.versionumero is None:
            raise UnreadableAnswer(f"submission {sid}: KOSKI named no record")
        grading.update_submission(
            sid,
            state=SubmissionState.SENT.value,
            oid=judgement.oid,
            versionumero=judgement.versionumero,
            payload_hash=digest,
            sent_at=clock(),
            next_attempt_at=None,
            **errors,
        )
        return Sent(SubmissionState.SENT)
    if judgement.verdict is Verdict.RETRY:
        delay = _next_retry(view.attempts + 1, retry_delays)
        if delay is None:
            grading.update_submission(
                sid, state=SubmissionState.PARKED.value, next_attempt_at=None, **errors
            )
            return Sent(SubmissionState.PARKED)
        grading.update_submission(
            sid, state=SubmissionState.PENDING.value, next_attempt_at=clock() + delay, **errors
        )
        return Sent(SubmissionState.PENDING, delay)
    if judgement.verdict is Verdict.REVOKED and view.consent_id is not None:
        grading.revoke(view.consent_id, "koski", "koski")
        grading.update_submission(sid, state=SubmissionState.REVOKED.value, **errors)
        return Sent(SubmissionState.REVOKED)
    state = (
        SubmissionState.DELETED if judgement.verdict is Verdict.DELETED else SubmissionState.FAILED
    )
    grading.update_submission(sid, state=state.value, **errors)
    return Sent(state)


def retry(submission_id: int, grading: Grading, jobs: Jobs, actor: str) -> bool:
    """Send a parked or failed submission again, with a fresh count of attempts.

    False when the submission is in another state (nothing to retry)."""
    view = grading.send_view(submission_id)
    if view.state not in (SubmissionState.PARKED, SubmissionState.FAILED):
        return False
    grading.update_submission(
        submission_id, state=SubmissionState.PENDING.value, attempts=0, next_attempt_at=None
    )
    grading.record(AuditEntry(actor[:64], "submission.retry", "submission", submission_id))
    jobs.enqueue_submissions([submission_id])
    return True


def _next_retry(attempt: int, delays: Sequence[int]) -> dt.timedelta | None:
    """The wait after failed attempt number ``attempt``; None once retries are used up."""
    return dt.timedelta(seconds=delays[attempt - 1]) if attempt <= len(delays) else None


def invalidate(  # noqa: PLR0917 - the use case, its three adapters, and who asks why
    submission_id: int,
    grading: Grading,
    koski: Koski,
    clock: Clock,
    actor: str = "staff",
    reason: str | None = None,
) -> SubmissionState:
    """Mitätöinti: resend the record with a ``mitatoity`` jakso dated today, then forget its oid,
    so a corrected result creates a new record (same lähdejärjestelmänId).

    ``reason`` is one of :data:`INVALIDATION_REASONS` (a code: free text could hold a name)."""
    view = grading.send_view(submission_id)
    if view.right.oid is None:
        raise ValueError("only a record that reached KOSKI can be invalidated")
    if reason is not None and reason not in INVALIDATION_REASONS:
        raise ValueError("unknown invalidation reason")
    grading.record(
        AuditEntry(
            actor[:64], "submission.invalidate", "submission", submission_id, {"reason": reason}
        )
    )
    payload = build_payload(
        view.course, view.person, view.result, view.right, invalidated_on=clock().date()
    )
    answer = koski.put_oppija(payload)
    judgement = judge(answer, known_oid=True)
    errors = {
        "last_status": answer.status,
        "last_error_keys": list(judgement.keys) or None,
        "last_error_message": judgement.message,
    }
    if judgement.verdict in (Verdict.STORED, Verdict.DELETED):  # deleted already: the same end
        grading.update_submission(
            submission_id,
            state=SubmissionState.INVALIDATED.value,
            oid=None,
            versionumero=None,
            payload_hash=None,
            **errors,
        )
        return SubmissionState.INVALIDATED
    grading.update_submission(submission_id, **errors)
    return view.state
