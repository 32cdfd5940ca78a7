"""KOSKI misbehaves under a stream of submissions from a real worker process: it answers 500,
503 and 429, hangs past the client's timeout and stores afterwards, and stores but loses the
answer. Every eligible record ends in KOSKI exactly once, and a KOSKI that never recovers is
given up on: the submissions are parked for staff after the configured retries, not retried
forever."""

from __future__ import annotations

import itertools
import time

import pytest

from tests.faults.conftest import KoskiStack
from tests.processes import start_worker, stop

pytestmark = pytest.mark.fault
PEOPLE = 30
# 1 s read timeout against a 3 s hang: the client gives up, then the sandbox stores the record.
FAULTS = ("error", "throttled", "unavailable", "slow:3", "lost")


def _wait_until(stack: KoskiStack, sql: str, expected: int, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while (found := stack.count(sql)) != expected and time.monotonic() < deadline:
        time.sleep(0.5)
    return found


def test_every_record_ends_in_koski_once_through_errors_throttling_hangs_and_lost_answers(
    koski_stack: KoskiStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOSKI_TIMEOUT", "1")
    monkeypatch.setenv("KOSKI_RETRY_DELAYS", "1 1 2 2 3 3 5 5 8 8")
    koski_stack.consented_and_passed(PEOPLE)
    planned = list(itertools.islice(itertools.cycle(FAULTS), 45))  # 9 of each kind
    koski_stack.koski.fail_next(*planned)

    worker = start_worker()
    try:
        sent = "SELECT COUNT(*) FROM koski_submissions WHERE state = 'sent'"
        assert _wait_until(koski_stack, sent, PEOPLE, 240) == PEOPLE
    finally:
        stop(worker)
    assert koski_stack.koski.pending_faults() == []  # every fault was met by some attempt
    stored = koski_stack.koski.stored()
    assert len(stored) == PEOPLE  # one study right each: no retry made a second
    assert len({s["oid"] for s in stored}) == PEOPLE
    most = "SELECT MAX(attempts) FROM koski_submissions"
    assert koski_stack.count(most) <= 11  # within the ten retries configured
    retried = "SELECT COUNT(*) FROM koski_submissions WHERE attempts > 1"
    assert koski_stack.count(retried) >= 9  # the faults did land on submissions


def test_a_koski_that_keeps_failing_is_given_up_on_after_the_configured_retries(
    koski_stack: KoskiStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOSKI_RETRY_DELAYS", "1 1")  # three attempts in all
    koski_stack.consented_and_passed(3)
    koski_stack.koski.fail_next(*["error", "throttled", "unavailable"] * 5)

    worker = start_worker()
    try:
        parked = "SELECT COUNT(*) FROM koski_submissions WHERE state = 'parked'"
        assert _wait_until(koski_stack, parked, 3, 120) == 3
        time.sleep(3)  # longer than any retry delay: nothing more is tried
    finally:
        stop(worker)
    assert len(koski_stack.koski.pending_faults()) == 15 - 3 * 3
    assert koski_stack.count("SELECT MIN(attempts) FROM koski_submissions") == 3
    assert koski_stack.count("SELECT MAX(attempts) FROM koski_submissions") == 3
    assert koski_stack.koski.stored() == []
