"""Binding consent: a stored delivery's event becomes, replaces or withdraws a consent in the
ledger, and the sweeper makes sure every delivery gets its binding job. Dependencies come in
as arguments (ports), so tests pass fakes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from consent.events import READ_ERRORS, ConsentEvent, EventKind, read_event
from consent.model import AuditEntry, ConsentRecord, ConsentState, InboxState
from consent.ports import BindingTransaction, Clock, ConsentLedger, JobQueue, PendingDeliveries
from consent.rules import SignerDecision, decide_signer, next_state

WORKER = "worker"


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
        body = tx.claim_delivery(inbox_id)
        if body is None:
            return ConsentBound("already bound")
        try:
            event = read_event(body, now=clock(), allow_temporary=allow_temporary)
        except READ_ERRORS as error:
            outcome = f"unreadable event ({type(error).__name__})"
            _finish(tx, inbox_id, InboxState.FAILED, outcome, None)
            return ConsentBound(outcome)
        return _apply(tx, inbox_id, event)


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
    """Make sure every delivery still waiting after a grace period has a binding job."""
    counts: dict[str, int] = {}
    for inbox_id in ledger.pending_deliveries(clock() - SWEEP_GRACE):
        action = queue.ensure_binding(inbox_id)
        counts[action] = counts.get(action, 0) + 1
    return counts
