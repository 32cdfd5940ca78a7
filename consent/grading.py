"""Use cases of the grading sync and the KOSKI transfer: import a course's results, bind each
to its consent, send what may go to KOSKI, and the staff's retry and mitätöinti.

Each takes its ports as arguments and the actor it acts for. The decisions are pure
functions (:func:`eligibility` here, a submission's transitions in
:mod:`consent.submissions`); the ports only store what they decide.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from consent.courses import Course
from consent.duplicates import DuplicateWarning
from consent.errors import (
    BindingFailed,
    NotFound,
    NotInvalidatable,
    SendingFailed,
    UnknownInvalidationReason,
)
from consent.koski_answers import judge
from consent.koski_payload import build_payload, payload_hash
from consent.model import RETRYABLE, AuditEntry, Binding, ConsentState, SubmissionState
from consent.ports import (
    Clock,
    GradingJobs,
    GradingLedger,
    Koski,
    ResultBindingTransaction,
    ResultStore,
    Submissions,
)
from consent.record_rules import NotSent, sendable
from consent.results import ResultForBinding, ResultSubmission, check_rows
from consent.submissions import (
    FRESH,
    KEEP,
    KEPT_OUT,
    Keep,
    Outcome,
    SendView,
    Unsent,
    after_answer,
    after_invalidation,
    before_sending,
    held_back,
    new_source_id,
    reopened,
    unsendable,
)

# Seconds to wait after each failed attempt (KOSKI_RETRY_DELAYS); then parked for staff.
RETRY_DELAYS: Final = (10, 30, 60, 120, 300, 600, 1800, 3600)
# Why staff invalidate a record: codes, so the audit trail never holds free text (or a name).
INVALIDATION_REASONS: Final = ("wrong_person", "wrong_result", "no_consent", "sent_twice", "other")
# Who the audit trail names when KOSKI itself said a consent was revoked.
KOSKI: Final = "koski"


@dataclass(frozen=True)
class ImportSummary:
    """What an import changed, and the rows KOSKI would refuse as duplicates (a warning)."""

    changed: int
    unchanged: int
    warnings: tuple[DuplicateWarning, ...] = ()


def import_results(
    course: Course,
    rows: list[dict[str, Any]],
    results: ResultStore,
    jobs: GradingJobs,
    *,
    today: dt.date,
    actor: str,
    allow_temporary: bool = False,
) -> ImportSummary:
    """Check every row, store all or nothing, and queue binding for what is new or changed."""
    checked = check_rows(rows, course, today, allow_temporary)
    changed, unchanged = results.store_results(course.code, checked, actor)
    jobs.enqueue_result_bindings(changed)
    return ImportSummary(len(changed), unchanged)


def eligibility(consent: ConsentState | None, result: ResultForBinding, today: dt.date) -> str:
    """``eligible``, or the reason this result is not sent: its consent, what its record
    would carry (:func:`consent.record_rules.sendable`, the rule the payload follows too),
    or ``waiting_for_end`` for one dated after ``today``, which goes out on its day; a
    result staff removed on request is ``removed`` whatever its consent says."""
    if result.graded.removed:
        return Binding.REMOVED
    if consent is None:
        return Binding.NO_CONSENT
    if consent is not ConsentState.VALID:
        reasons = {
            ConsentState.REJECTED: Binding.CONSENT_REJECTED,
            ConsentState.REVOKED: Binding.CONSENT_REVOKED,
        }
        return reasons.get(consent, Binding.CONSENT_CANCELLED)
    record = sendable(result.course, result.graded, today)
    return record.reason if isinstance(record, NotSent) else Binding.ELIGIBLE


def bind_result(
    tx: ResultBindingTransaction, result_id: int, source_system: str
) -> tuple[str, int | None]:
    """Bind one result to its consent in ``tx``: its binding and, for an eligible result,
    the submission to send (created if new, made pending again if it can be); None for one
    that is not eligible or was stopped for good.

    A result that may no longer be sent holds its submission back (:func:`held_back`): a
    live KOSKI record then needs attention, and staff decide what becomes of it."""
    found = tx.result_to_bind(result_id)
    binding = eligibility(found.consent_state, found.result, found.today)
    tx.save_binding(result_id, binding, found.consent_id)
    if binding != Binding.ELIGIBLE:
        _hold_back(tx, found.submission, binding)
        return binding, None
    if found.submission is None:
        return binding, tx.add_submission(result_id, new_source_id(), source_system)
    submission_id, state, _ = found.submission
    if state in KEPT_OUT:
        return binding, None
    change = reopened(state)
    if change is not None:
        tx.change_submission(submission_id, change)
    return binding, submission_id


def _hold_back(
    tx: ResultBindingTransaction, submission: ResultSubmission | None, binding: str
) -> None:
    """Store what a result that may not be sent does to its submission, if it has one."""
    if submission is None:
        return
    change = held_back(binding, submission.state, submission.oid)
    if change is not None:
        tx.change_submission(submission.submission_id, change)


def bind_results(
    result_ids: Sequence[int], ledger: GradingLedger, jobs: GradingJobs, source_system: str
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
            with ledger.binding() as tx:
                binding, submission_id = bind_result(tx, result_id, source_system)
        except NotFound:
            continue  # deleted since it was queued (the retention purge): nothing to bind
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
    submissions: Submissions,
    koski: Koski,
    jobs: GradingJobs,
    clock: Clock,
    retry_delays: Sequence[int] = RETRY_DELAYS,
    recheck_after: dt.timedelta = dt.timedelta(minutes=1),
    *,
    run: str,
    actor: str,
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
        submissions.unsent(first_id, last_id),
        key=lambda row: row.state is SubmissionState.IN_FLIGHT,
    )
    for index, listed in enumerate(waiting):
        submission_id = listed.submission_id
        if listed.state is SubmissionState.IN_FLIGHT and listed.claimed_by != run:
            jobs.enqueue_submission(submission_id, recheck_after)
            states[submission_id] = listed.state
            continue
        try:
            sent = submit(
                submission_id,
                submissions,
                koski,
                clock,
                retry_delays,
                actor=actor,
                listed=listed,
                run=run,
            )
        except Exception as error:  # noqa: BLE001 - raised below, once the rest are sent
            errors[submission_id] = type(error).__name__
            first = first or error
            continue
        states[submission_id] = sent.state
        if sent.retry_in is not None:
            _defer_the_rest(waiting[index + 1 :], sent.retry_in, submissions, clock)
            jobs.enqueue_submission(submission_id, sent.retry_in)
            _recheck_the_rest(waiting[index + 1 :], sent.retry_in, recheck_after, jobs)
            break
    if errors:
        raise SendingFailed(errors, {row: state.value for row, state in states.items()}) from first
    return states


def _defer_the_rest(
    rest: Sequence[Unsent], wait: dt.timedelta, submissions: Submissions, clock: Clock
) -> None:
    """KOSKI asked to wait: the pending rest of a range wait as long, a job each from then on."""
    pending = [row.submission_id for row in rest if row.state is SubmissionState.PENDING]
    submissions.defer(pending, clock() + wait)


def _recheck_the_rest(
    rest: Sequence[Unsent], wait: dt.timedelta, recheck_after: dt.timedelta, jobs: GradingJobs
) -> None:
    """A job each for the rest of a range, after ``wait``; one in flight no sooner than its
    check would have been."""
    for row in rest:
        in_flight = row.state is SubmissionState.IN_FLIGHT
        jobs.enqueue_submission(row.submission_id, max(wait, recheck_after) if in_flight else wait)


def submit(
    submission_id: int,
    submissions: Submissions,
    koski: Koski,
    clock: Clock,
    retry_delays: Sequence[int] = RETRY_DELAYS,
    *,
    actor: str,
    listed: Unsent | None = None,
    run: str | None = None,
) -> Sent:
    """Send one result to KOSKI, or decide not to; records the outcome either way, in the
    name of ``actor``.

    ``run`` is the sending job's id, recorded with the claim. With ``listed`` (what a range
    job read a while ago), a submission another job has claimed since is left alone.
    """
    view = submissions.send_view(submission_id)
    if listed is not None and (view.state, view.claimed_by) != (listed.state, listed.claimed_by):
        return Sent(view.state)
    decided = unsendable(view) or _send(
        view, submissions, koski, clock, retry_delays, actor=actor, run=run
    )
    return store_outcome(submission_id, decided, submissions, actor)


def _send(
    view: SendView,
    submissions: Submissions,
    koski: Koski,
    clock: Clock,
    retry_delays: Sequence[int],
    *,
    actor: str,
    run: str | None,
) -> Outcome:
    """Build the payload; unless it need not go, claim the submission and send it.

    One whose record may not go now (binding decided so meanwhile) is held back as binding
    holds it back: nothing dated after today, and nothing but passed work, leaves."""
    record = sendable(view.course, view.result, clock().date())
    if isinstance(record, NotSent):
        return _held_back(view, record.reason)
    payload = build_payload(view.course, view.person, view.result, view.right)
    digest = payload_hash(payload)
    decided = before_sending(view, digest)
    if decided is not None:
        return decided
    if not submissions.claim(view.submission_id, view.state, view.attempts, run, actor):
        return Outcome(SubmissionState.IN_FLIGHT, None)  # another job took it since we read it
    answer = koski.put_oppija(payload)
    judgement = judge(answer, known_oid=view.right.oid is not None)
    return after_answer(
        view, answer.status, judgement, digest=digest, now=clock(), retry_delays=retry_delays
    )


def _held_back(view: SendView, reason: str) -> Outcome:
    """What a send whose record may not go now (``reason``, a binding code) comes to:
    what binding that result would do to its submission (:func:`held_back`)."""
    change = held_back(reason, view.state, view.right.oid)
    state = KEEP if change is None else change.state
    return Outcome(view.state if isinstance(state, Keep) else state, change)


def store_outcome(
    submission_id: int, decided: Outcome, submissions: Submissions, actor: str
) -> Sent:
    """Store what was decided, on any call to KOSKI: the consent KOSKI said was revoked
    (in KOSKI's name), then the change (in ``actor``'s)."""
    if decided.revokes is not None:
        submissions.revoke(decided.revokes, KOSKI, KOSKI)
    if decided.change is not None:
        submissions.change(submission_id, decided.change, actor)
    return Sent(decided.state, decided.retry_in)


def retry(submission_id: int, submissions: Submissions, jobs: GradingJobs, actor: str) -> bool:
    """Send a parked or failed submission again, with a fresh count of attempts.

    False when the submission is in another state (nothing to retry)."""
    return send_anew(submission_id, submissions, jobs, actor, RETRYABLE, "submission.retry")


def send_anew(  # noqa: PLR0917 - the submission, two adapters, who, from what, as what
    submission_id: int,
    submissions: Submissions,
    jobs: GradingJobs,
    actor: str,
    states: frozenset[SubmissionState],
    action: str,
) -> bool:
    """Make a submission in one of ``states`` a first send again and queue it, audited as
    ``action`` in the name of ``actor``; False, changing nothing, for one in another state.

    The payload is built anew when it is sent: what goes is the record as it stands now."""
    if submissions.send_view(submission_id).state not in states:
        return False
    submissions.change(submission_id, FRESH, actor)
    submissions.audit(AuditEntry(actor[:64], action, "submission", submission_id))
    jobs.enqueue_submissions([submission_id])
    return True


def invalidate(
    submission_id: int,
    submissions: Submissions,
    koski: Koski,
    clock: Clock,
    *,
    actor: str,
    reason: str | None = None,
) -> SubmissionState:
    """Mitätöinti: resend the record with a ``mitatoity`` jakso dated today, then forget its oid,
    so that sending it again (:func:`send_anew`, staff only) creates a new record under the
    same lähdejärjestelmänId; binding a corrected result does not send it.

    ``reason`` is one of :data:`INVALIDATION_REASONS` (a code: free text could hold a name):
    :class:`UnknownInvalidationReason` otherwise, before anything is read;
    :class:`NotInvalidatable` for a record that never reached KOSKI, changing nothing."""
    if reason is not None and reason not in INVALIDATION_REASONS:
        raise UnknownInvalidationReason()
    view = submissions.send_view(submission_id)
    if view.right.oid is None:
        raise NotInvalidatable()
    details = {"reason": reason}
    submissions.audit(
        AuditEntry(actor[:64], "submission.invalidate", "submission", submission_id, details)
    )
    payload = build_payload(
        view.course, view.person, view.result, view.right, invalidated_on=clock().date()
    )
    answer = koski.put_oppija(payload)
    decided = after_invalidation(view, answer.status, judge(answer, known_oid=True))
    return store_outcome(submission_id, decided, submissions, actor).state
