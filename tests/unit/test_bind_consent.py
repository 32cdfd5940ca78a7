"""The binding use case against an in-memory ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from consent import binding, rules
from consent.hetu import Hetu
from consent.model import ConsentState, InboxState
from tests.fakes import InMemoryLedger, RecordingQueue
from tests.signing import body_of, event, person

NOW = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)
ADULT = person(dt.date(1990, 5, 5))
GUARDIAN = person(dt.date(1980, 2, 2), "Maija")
MINOR = person(dt.date(2011, 4, 4), "Onni")


def clock() -> dt.datetime:
    return NOW


def hetu(member: dict[str, str]) -> Hetu:
    return Hetu.parse(member["hetu"], today=NOW.date())


def deliver(ledger: InMemoryLedger, inbox_id: int, document: dict[str, Any] | bytes) -> str:
    body = document if isinstance(document, bytes) else body_of(document)
    ledger.add_delivery(inbox_id, body, NOW)
    return binding.bind_consent(inbox_id, ledger, clock).outcome


def state(ledger: InMemoryLedger, member: dict[str, str]) -> ConsentState | None:
    consent = ledger.consent("knoppi-2026-syksy", hetu(member))
    return None if consent is None else consent.state


def test_an_adult_s_own_signature_binds_a_valid_consent() -> None:
    ledger = InMemoryLedger()
    deliver(ledger, 1, event(ADULT, ADULT))
    consent = ledger.consent("knoppi-2026-syksy", hetu(ADULT))
    assert consent is not None
    assert consent.state is ConsentState.VALID
    assert consent.signer_relation == "self"
    assert consent.document_id == "doc-1"
    assert ledger.state.deliveries[1].state is InboxState.PROCESSED


def test_a_guardian_s_signature_binds_the_minor_s_consent() -> None:
    ledger = InMemoryLedger()
    deliver(ledger, 1, event(MINOR, GUARDIAN))
    consent = ledger.consent("knoppi-2026-syksy", hetu(MINOR))
    assert consent is not None
    assert consent.state is ConsentState.VALID
    assert consent.signer_relation == "guardian"
    assert consent.signer is not None
    assert consent.signer.hetu == hetu(GUARDIAN)


def test_a_minor_signing_alone_is_stored_as_rejected_with_a_reason() -> None:
    ledger = InMemoryLedger()
    deliver(ledger, 1, event(MINOR, MINOR))
    consent = ledger.consent("knoppi-2026-syksy", hetu(MINOR))
    assert consent is not None
    assert consent.state is ConsentState.REJECTED
    assert consent.reason == rules.MINOR_SIGNED_ALONE


def test_binding_twice_changes_nothing_the_second_time() -> None:
    ledger = InMemoryLedger()
    deliver(ledger, 1, event(ADULT, ADULT))
    audit_before = list(ledger.state.audit)
    assert binding.bind_consent(1, ledger, clock).outcome == "already bound"
    assert ledger.state.audit == audit_before


def test_a_crash_half_way_leaves_nothing_and_a_rerun_binds() -> None:
    ledger = InMemoryLedger()
    ledger.add_delivery(1, body_of(event(ADULT, ADULT)), NOW)
    ledger.crash_before_saving_consent = True
    with pytest.raises(ConnectionError):
        binding.bind_consent(1, ledger, clock)
    assert ledger.state.participants == {}  # the participant saved earlier was rolled back
    assert ledger.state.consents == {}
    assert ledger.state.deliveries[1].state is InboxState.RECEIVED
    ledger.crash_before_saving_consent = False
    binding.bind_consent(1, ledger, clock)
    assert state(ledger, ADULT) is ConsentState.VALID


def test_a_later_signature_replaces_a_cancelled_consent() -> None:
    ledger = InMemoryLedger()
    deliver(ledger, 1, event(ADULT, None, kind="consent.cancelled", at="2026-09-01T08:00:00Z"))
    assert state(ledger, ADULT) is ConsentState.CANCELLED
    deliver(ledger, 2, event(ADULT, ADULT, at="2026-09-01T08:30:00Z", document_id="doc-2"))
    assert state(ledger, ADULT) is ConsentState.VALID


def test_a_cancellation_before_anything_is_sent_withdraws_the_consent() -> None:
    ledger = InMemoryLedger()
    deliver(ledger, 1, event(ADULT, ADULT, at="2026-09-01T08:00:00Z"))
    deliver(ledger, 2, event(ADULT, None, kind="consent.cancelled", at="2026-09-01T08:30:00Z"))
    consent = ledger.consent("knoppi-2026-syksy", hetu(ADULT))
    assert consent is not None
    assert consent.state is ConsentState.WITHDRAWN
    assert consent.signer is not None  # who signed stays on record


def test_a_cancellation_after_sending_leaves_the_consent_valid() -> None:
    ledger = InMemoryLedger()
    deliver(ledger, 1, event(ADULT, ADULT, at="2026-09-01T08:00:00Z"))
    consent = ledger.consent("knoppi-2026-syksy", hetu(ADULT))
    assert consent is not None
    assert consent.id is not None
    ledger.state.sent_consents.add(consent.id)
    outcome = deliver(
        ledger, 2, event(ADULT, None, kind="consent.cancelled", at="2026-09-01T08:30:00Z")
    )
    assert state(ledger, ADULT) is ConsentState.VALID
    assert "revoke through OPH" in outcome


def test_an_event_older_than_the_current_state_is_ignored() -> None:
    ledger = InMemoryLedger()
    deliver(ledger, 1, event(ADULT, ADULT, at="2026-09-01T08:30:00Z"))
    deliver(ledger, 2, event(ADULT, None, kind="consent.cancelled", at="2026-09-01T08:00:00Z"))
    assert state(ledger, ADULT) is ConsentState.VALID
    assert ledger.state.deliveries[2].state is InboxState.PROCESSED


def test_an_unreadable_body_fails_the_delivery_for_good_without_a_consent() -> None:
    ledger = InMemoryLedger()
    outcome = deliver(ledger, 1, b'{"type": "consent.signed", "type": "x"}')
    assert outcome == "unreadable event (StrictJsonError)"
    assert ledger.state.deliveries[1].state is InboxState.FAILED
    assert ledger.state.consents == {}


def test_a_participant_is_one_person_across_courses_and_events() -> None:
    ledger = InMemoryLedger()
    deliver(ledger, 1, event(ADULT, ADULT))
    deliver(ledger, 2, event(ADULT, ADULT, course="kevät-kurssi".replace("ä", "a")))
    assert len(ledger.state.participants) == 1
    assert len(ledger.state.consents) == 2


def test_the_sweeper_ensures_a_drain_only_for_deliveries_left_waiting_past_the_grace_period() -> (
    None
):
    ledger = InMemoryLedger()
    ledger.add_delivery(2, b"{}", NOW - dt.timedelta(seconds=10))
    ledger.add_delivery(3, b"{}", NOW - dt.timedelta(minutes=5))
    ledger.state.deliveries[3].state = InboxState.PROCESSED
    queue = RecordingQueue()
    assert binding.sweep_deliveries(ledger, queue, clock) == {}
    assert queue.drains_ensured == 0
    ledger.add_delivery(1, b"{}", NOW - dt.timedelta(minutes=5))
    ledger.add_delivery(4, b"{}", NOW - dt.timedelta(minutes=2))
    assert binding.sweep_deliveries(ledger, queue, clock) == {"enqueued": 2}
    assert queue.drains_ensured == 1  # one drain binds them all


def test_a_stored_delivery_signed_in_the_future_never_becomes_a_valid_consent() -> None:
    # A delivery stored before the webhook refused such events: binding refuses it as well.
    ledger = InMemoryLedger()
    document = event(MINOR, MINOR)
    document["data"]["signed_at"] = "2099-01-01T00:00:00Z"
    assert deliver(ledger, 1, document) == "unreadable event (InvalidEvent)"
    assert ledger.state.consents == {}
    assert ledger.state.deliveries[1].state is InboxState.FAILED
