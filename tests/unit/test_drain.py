"""The drain against an in-memory ledger and a recorded binding mark: it binds every waiting
delivery, a poison row stops none of the others, and a delivery stored as the mark is
cleared is still bound."""

from __future__ import annotations

import datetime as dt

from consent import binding
from consent.model import InboxState
from tests.fakes import InMemoryLedger, RecordingBindingRun
from tests.signing import body_of, event, person

NOW = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)


class MovableClock:
    """A clock that stands still until the test moves it."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def move(self, by: dt.timedelta) -> None:
        self.now += by


def adult(n: int) -> dict[str, str]:
    return person(dt.date(1980, 1, 1) + dt.timedelta(days=n), f"Testi{n}", "Henkilö")


def store(ledger: InMemoryLedger, inbox_id: int) -> None:
    member = adult(inbox_id)
    ledger.add_delivery(inbox_id, body_of(event(member, member)), NOW)


def drain(
    ledger: InMemoryLedger, run: RecordingBindingRun, clock: MovableClock | None = None
) -> tuple[dict[str, int], list[binding.BatchBound]]:
    batches: list[binding.BatchBound] = []
    outcomes = binding.bind_deliveries(ledger, run, clock or MovableClock(NOW), batches.append)
    return outcomes, batches


def states(ledger: InMemoryLedger) -> dict[int, InboxState]:
    return {i: d.state for i, d in ledger.state.deliveries.items()}


def test_the_drain_binds_every_waiting_delivery_a_batch_to_a_transaction() -> None:
    ledger = InMemoryLedger()
    for inbox_id in range(1, 121):
        store(ledger, inbox_id)
    run = RecordingBindingRun()
    outcomes, batches = drain(ledger, run)
    assert outcomes == {"signed: valid": 120}
    assert set(states(ledger).values()) == {InboxState.PROCESSED}
    # a batch short of full: nothing else waited at its claim; the mark cleared, once more
    assert [len(b.bound) for b in batches] == [50, 50, 20, 0]
    assert run.steps == ["hold", "hold", "hold", "release"]


def test_a_poison_row_is_undone_alone_and_the_others_are_bound() -> None:
    ledger = InMemoryLedger()
    for inbox_id in range(1, 6):
        store(ledger, inbox_id)
    ledger.poison = {3}
    outcomes, batches = drain(ledger, RecordingBindingRun())
    assert outcomes == {"signed: valid": 4, "failed": 1}
    assert batches[0].failed == ((3, "KeyError"),)
    assert states(ledger)[3] is InboxState.RECEIVED  # tried once this run, waits for the next
    assert ledger.state.deliveries[3].attempts == 1
    assert [s for i, s in states(ledger).items() if i != 3] == [InboxState.PROCESSED] * 4
    assert all(3 not in claim for claim in ledger.claimed[1:])  # passed over for the rest


def test_a_delivery_failing_every_attempt_is_marked_failed_for_staff() -> None:
    ledger = InMemoryLedger()
    store(ledger, 1)
    ledger.poison = {1}
    for _ in range(binding.BIND_ATTEMPTS - 1):
        drain(ledger, RecordingBindingRun())
        assert states(ledger)[1] is InboxState.RECEIVED
    drain(ledger, RecordingBindingRun())  # the last attempt
    delivery = ledger.state.deliveries[1]
    assert delivery.state is InboxState.FAILED
    assert delivery.outcome == "binding failed (KeyError)"


def test_a_failure_of_the_moment_is_never_held_against_the_delivery() -> None:
    ledger = InMemoryLedger()
    for inbox_id in range(1, 4):
        store(ledger, inbox_id)
    ledger.contended = {2}  # a deadlock, a lock, two drains inserting one new participant
    for _ in range(binding.BIND_ATTEMPTS + 1):
        outcomes, _ = drain(ledger, RecordingBindingRun())
    assert states(ledger)[2] is InboxState.RECEIVED
    assert ledger.state.deliveries[2].attempts == 0
    assert [states(ledger)[i] for i in (1, 3)] == [InboxState.PROCESSED] * 2
    ledger.contended = set()
    outcomes, _ = drain(ledger, RecordingBindingRun())
    assert outcomes == {"signed: valid": 1}
    assert states(ledger)[2] is InboxState.PROCESSED


def test_a_delivery_stored_as_the_mark_is_cleared_is_bound_by_the_look_once_more() -> None:
    ledger = InMemoryLedger()
    store(ledger, 1)
    run = RecordingBindingRun()
    # A request commits its row, finds the mark still set (so queues nothing), and then the
    # drain clears the mark: only the drain's look after clearing can find that row.
    run.on_release.append(lambda: store(ledger, 2))
    outcomes, _ = drain(ledger, run)
    assert outcomes == {"signed: valid": 2}
    assert states(ledger) == {1: InboxState.PROCESSED, 2: InboxState.PROCESSED}
    # found one after clearing: took the mark again, drained, cleared, looked once more
    assert run.steps == ["hold", "release", "hold", "release"]


def test_a_drain_over_its_budget_hands_over_with_deliveries_still_waiting() -> None:
    ledger = InMemoryLedger()
    for inbox_id in range(1, 121):
        store(ledger, inbox_id)
    clock = MovableClock(NOW)
    run = RecordingBindingRun()
    batches: list[binding.BatchBound] = []

    def slow(batch: binding.BatchBound) -> None:
        batches.append(batch)
        clock.move(binding.DRAIN_BUDGET)  # each batch takes the whole budget

    binding.bind_deliveries(ledger, run, clock, slow)
    assert [len(b.bound) for b in batches] == [50]
    assert run.steps == ["hold", "hand_over"]
    assert list(states(ledger).values()).count(InboxState.RECEIVED) == 70


def test_a_drain_whose_mark_another_drain_holds_leaves_the_binding_to_it() -> None:
    ledger = InMemoryLedger()
    store(ledger, 1)
    run = RecordingBindingRun()
    run.held_elsewhere = True
    assert drain(ledger, run) == ({}, [])
    assert states(ledger) == {1: InboxState.RECEIVED}
