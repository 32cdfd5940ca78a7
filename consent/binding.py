"""Binding consent: a stored delivery's event becomes, replaces or withdraws a consent in the
ledger. One drain (:func:`bind_deliveries`) binds every waiting delivery, a batch to a
transaction, and the sweeper makes sure a drain runs while any waits. Dependencies come in
as arguments (ports), so tests pass fakes."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import Final

from consent.errors import LedgerContention
from consent.events import READ_ERRORS, ConsentEvent, EventKind, read_event
from consent.model import AuditEntry, ConsentRecord, ConsentState, InboxState
from consent.ports import (
    BindingRun,
    BindingTransaction,
    Clock,
    ConsentLedger,
    DeliveryBatch,
    JobQueue,
    PendingDeliveries,
)
from consent.rules import SignerDecision, decide_signer, next_state

WORKER = "worker"
# Deliveries bound in one transaction (each in a savepoint of its own): one commit serves
# them all, while a burst's first deliveries wait for no more than a batch.
DELIVERY_BATCH: Final = 50
# A delivery whose binding failed this often is marked failed, for staff to see.
BIND_ATTEMPTS: Final = 5
# A drain that has bound for this long hands over to a drain queued anew, so that the jobs
# queued meanwhile (its results' binding) run, and it ends well within its job's timeout.
DRAIN_BUDGET: Final = dt.timedelta(seconds=10)


@dataclass(frozen=True)
class ConsentBound:
    """What binding a delivery did, and whose consent it was (None if unreadable or repeated)."""

    outcome: str
    course_code: str | None = None
    participant_id: int | None = None


def bind_consent(
    inbox_id: int, ledger: ConsentLedger, clock: Clock, allow_temporary: bool = False
) -> ConsentBound:
    """Bind a stored delivery to the consent ledger; returns the outcome.

    Idempotent: a delivery already bound is left alone, and the whole binding is one
    transaction, so a crash half-way leaves nothing half-done.
    """
    with ledger.binding() as tx:
        return _bind(tx, inbox_id, clock, allow_temporary)


def _bind(
    tx: BindingTransaction, inbox_id: int, clock: Clock, allow_temporary: bool
) -> ConsentBound:
    return _bind_read(tx, inbox_id, _read(tx, inbox_id, clock, allow_temporary))


@dataclass(frozen=True)
class _Unreadable:
    """A claimed delivery whose body is no consent event: why (the error's type)."""

    outcome: str


_Read = ConsentEvent | _Unreadable | None  # None: the delivery was bound already


def _read(tx: BindingTransaction, inbox_id: int, clock: Clock, allow_temporary: bool) -> _Read:
    """Claim the delivery and read its event."""
    body = tx.claim_delivery(inbox_id)
    if body is None:
        return None
    try:
        return read_event(body, now=clock(), allow_temporary=allow_temporary)
    except READ_ERRORS as error:
        return _Unreadable(f"unreadable event ({type(error).__name__})")


def _bind_read(tx: BindingTransaction, inbox_id: int, read: _Read) -> ConsentBound:
    """Bind a delivery claimed and read: its event applied, or it is failed for good."""
    if read is None:
        return ConsentBound("already bound")
    if isinstance(read, _Unreadable):
        _finish(tx, inbox_id, InboxState.FAILED, read.outcome, None)
        return ConsentBound(read.outcome)
    return _apply(tx, inbox_id, read)


@dataclass(frozen=True)
class BatchBound:
    """What binding one batch did: each delivery bound (inbox id, what it did), and each
    whose binding failed (inbox id, the error's type: never its text)."""

    bound: tuple[tuple[int, ConsentBound], ...] = ()
    failed: tuple[tuple[int, str], ...] = ()

    @property
    def claimed(self) -> bool:
        """Whether the batch found any delivery waiting."""
        return bool(self.bound or self.failed)

    @property
    def full(self) -> bool:
        """Whether the batch was as large as a batch may be (so more may wait)."""
        return len(self.bound) + len(self.failed) >= DELIVERY_BATCH


def bind_batch(
    ledger: ConsentLedger,
    clock: Clock,
    allow_temporary: bool = False,
    skip: Collection[int] = (),
    limit: int = DELIVERY_BATCH,
) -> BatchBound:
    """Bind up to ``limit`` waiting deliveries (none of ``skip``), oldest first, in one transaction
    that commits once.

    They are bound together first, in one savepoint (:meth:`DeliveryBatch.together`: what
    they read is looked up for all of them at once), each as it would be bound alone. If
    anything in that fails, all of it is undone and each is bound in a savepoint of its
    own, as follows, which finds the delivery at fault: a delivery whose binding fails (a
    poison row) is undone alone, its failure counted (at :data:`BIND_ATTEMPTS` it is marked
    failed), and the others are bound. A failure of the moment (:class:`LedgerContention`: a
    lock, a deadlock, two drains inserting one new participant) is undone alone too but not
    counted: the delivery waits for the next drain (or the sweeper), however often that
    happens, so an acknowledged delivery is never marked failed for the database's sake. An
    error that leaves the transaction itself unusable (the database gone) fails the rest of
    the batch and its commit, so the whole batch rolls back and all of it still waits:
    nothing is half-done, as with one transaction each.
    """
    with ledger.batch() as batch:
        claimed = batch.claim_waiting(limit, skip)
        together = _bind_together(batch, claimed, clock, allow_temporary)
        if together is not None:
            return together
        return _bind_each(batch, claimed, clock, allow_temporary)


def _bind_together(
    batch: DeliveryBatch, claimed: Sequence[int], clock: Clock, allow_temporary: bool
) -> BatchBound | None:
    """Bind the claimed deliveries together, in one savepoint, each as it would be bound
    alone and in their order; None, with all of it undone, if anything failed."""
    if not claimed:
        return BatchBound()
    try:
        with batch.together(claimed) as tx:
            read = [(inbox_id, _read(tx, inbox_id, clock, allow_temporary)) for inbox_id in claimed]
            events = [event for _, event in read if isinstance(event, ConsentEvent)]
            tx.prepare([(event.course_code, event.participant) for event in events])
            bound = tuple((inbox_id, _bind_read(tx, inbox_id, event)) for inbox_id, event in read)
    except Exception:  # noqa: BLE001 - undone; binding each alone finds which failed and why
        return None
    return BatchBound(bound)


def _bind_each(
    batch: DeliveryBatch, claimed: Sequence[int], clock: Clock, allow_temporary: bool
) -> BatchBound:
    """Bind the claimed deliveries one by one, each in a savepoint of its own."""
    bound: list[tuple[int, ConsentBound]] = []
    failed: list[tuple[int, str]] = []
    for inbox_id in claimed:
        try:
            with batch.delivery() as tx:
                done = _bind(tx, inbox_id, clock, allow_temporary)
        except LedgerContention as error:  # of the moment: not held against the delivery
            failed.append((inbox_id, type(error).__name__))
        except Exception as error:  # noqa: BLE001 - one poison row must not stop the others
            failed.append((inbox_id, type(error).__name__))
            _count_failure(batch, inbox_id, type(error).__name__)
        else:
            bound.append((inbox_id, done))
    return BatchBound(tuple(bound), tuple(failed))


def _count_failure(batch: DeliveryBatch, inbox_id: int, error: str) -> None:
    if batch.count_failure(inbox_id) < BIND_ATTEMPTS:
        return  # still waiting: the next drain tries it again
    with batch.delivery() as tx:
        _finish(tx, inbox_id, InboxState.FAILED, f"binding failed ({error})", None)


def bind_deliveries(
    ledger: ConsentLedger,
    run: BindingRun,
    clock: Clock,
    done: Callable[[BatchBound], object],
    *,
    allow_temporary: bool = False,
    budget: dt.timedelta = DRAIN_BUDGET,
) -> dict[str, int]:
    """The drain: bind every waiting delivery, a batch at a time (:func:`bind_batch`),
    calling ``done`` after each batch is committed; how many came to each outcome.

    A delivery's request commits its row, then sets the broker's mark unless it is set,
    and queues a drain only if it set it (one atomic step: the drain's job id is the mark's
    value). The drain holds the mark while it binds, renewing it after each batch; when a
    batch finds fewer than a full batch waiting, it clears the mark and then looks once
    more. Every committed row is bound, because of the order of those steps:

    * The request set the mark: its drain started after the row was committed, and binds
      everything waiting before it ends, the row too.
    * The mark was set: the drain holding it clears it later than the request found it
      set, so later than the row's commit, and looks once more after clearing: that look
      finds the row. Finding any, it takes the mark again and goes on; if another drain
      took it first, that one set it after the clearing, so it looks later still, and binds
      the row. A drain over its ``budget`` hands over the same way: it clears the mark and
      asks for a drain as a request would, and that drain looks after the clearing.
    * The mark expired instead (its drain was killed, and renewed it no more): the next
      request sets it and queues a drain, which finds the row, or, with no request, the
      sweeper queues one for a row waiting longer than its grace period.

    Deliveries whose binding failed are passed over for the rest of the run: a later drain
    tries them again, until :data:`BIND_ATTEMPTS`.
    """
    deadline = clock() + budget
    outcomes: Counter[str] = Counter()
    skip: set[int] = set()

    def bind() -> BatchBound:
        batch = bind_batch(ledger, clock, allow_temporary, skip)
        skip.update(inbox_id for inbox_id, _ in batch.failed)
        outcomes.update(bound.outcome for _, bound in batch.bound)
        outcomes.update("failed" for _ in batch.failed)
        done(batch)
        return batch

    while run.hold():  # else another drain holds the mark: it binds what waits
        while bind().full:  # more may wait: else any row committed by now was claimed
            if clock() >= deadline:
                run.hand_over()
                return dict(outcomes)
            if not run.hold():
                return dict(outcomes)
        run.release()
        if not bind().claimed:  # the look once more, after the mark is cleared
            break
        if clock() >= deadline:  # it found more: a drain asked for goes on with them
            run.hand_over()
            break
    return dict(outcomes)


def _apply(tx: BindingTransaction, inbox_id: int, event: ConsentEvent) -> ConsentBound:
    participant_id = tx.save_participant(event.participant)
    current = tx.consent_for(event.course_code, participant_id)
    if current is not None and current.event_at and event.occurred_at < current.event_at:
        outcome = "older than the consent's current state; ignored"
        _finish(tx, inbox_id, InboxState.PROCESSED, outcome, current.id)
        return ConsentBound(outcome, event.course_code, participant_id)
    decision = _decision(event)
    sent = current is not None and current.id is not None and tx.any_sent(current.id)
    transition = next_state(current.state if current else None, event.kind, decision, sent)
    consent_id = current.id if current else None
    if transition.state is not None:
        record = _next_record(
            current,
            event,
            decision=decision,
            state=transition.state,
            participant_id=participant_id,
            inbox_id=inbox_id,
        )
        consent_id = tx.save_consent(record)
    _finish(tx, inbox_id, InboxState.PROCESSED, transition.note, consent_id)
    return ConsentBound(transition.note, event.course_code, participant_id)


def _decision(event: ConsentEvent) -> SignerDecision | None:
    """Who signed, judged; None for a cancellation, which has no signature."""
    if event.kind is not EventKind.SIGNED:
        return None
    if event.signer is None or event.signed_at is None:
        raise ValueError("a signed event names its signer and time")  # read_event ensures it
    return decide_signer(event.participant.hetu, event.signer.hetu, event.signed_at)


def _next_record(
    current: ConsentRecord | None,
    event: ConsentEvent,
    *,
    decision: SignerDecision | None,
    state: ConsentState,
    participant_id: int,
    inbox_id: int,
) -> ConsentRecord:
    """The consent after the event: a withdrawal keeps who signed; anything else restates it."""
    if current is not None and state is ConsentState.WITHDRAWN:
        return replace(current, state=state, inbox_id=inbox_id, event_at=event.occurred_at)
    return ConsentRecord(
        id=current.id if current else None,
        course_code=event.course_code,
        participant_id=participant_id,
        state=state,
        reason=decision.reason if decision else None,
        document_id=event.document_id,
        signed_at=event.signed_at,
        signer_relation=decision.relation if decision else None,
        signer=event.signer,
        inbox_id=inbox_id,
        event_at=event.occurred_at,
    )


def _finish(
    tx: BindingTransaction, inbox_id: int, state: InboxState, outcome: str, consent_id: int | None
) -> None:
    tx.finish_delivery(inbox_id, state, outcome)
    details: dict[str, object] = {"inbox_id": inbox_id, "outcome": outcome}
    subject = ("consent", consent_id) if consent_id is not None else ("inbox", inbox_id)
    tx.audit(AuditEntry(WORKER, f"delivery.{state.value}", subject[0], subject[1], details))


SWEEP_GRACE = dt.timedelta(seconds=60)


def sweep_deliveries(ledger: PendingDeliveries, queue: JobQueue, clock: Clock) -> dict[str, int]:
    """Make sure a drain runs while any delivery still waits after a grace period; how
    many waited, by what was done (``enqueued`` a drain, or one was already ``waiting``)."""
    waiting = ledger.pending_deliveries(clock() - SWEEP_GRACE)
    return {queue.ensure_drain(): len(waiting)} if waiting else {}
