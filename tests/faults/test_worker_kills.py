"""The worker is killed with SIGKILL again and again (its work horse mostly, sometimes the whole
worker) while it binds consents and sends results to a slow KOSKI sandbox, on PostgreSQL and
Redis. In the end every accepted event is bound once and every eligible result exists once in
KOSKI."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from contextlib import suppress

import pytest

from tests.faults.conftest import KoskiStack
from tests.processes import children_of, horses_of, start_worker, stop

pytestmark = pytest.mark.fault
PEOPLE = 30
KILLS = 24  # every fourth one takes the whole worker down, not just its work horse
SLOW_KOSKI = "slow:0.4"  # each PUT takes a while, so kills land inside KOSKI calls


def _kill_repeatedly(workers: list[subprocess.Popen[bytes]]) -> int:
    """Kill the worker's work horse mid-job, and every fourth time the whole worker with its
    scheduler (then start another), KILLS times.

    ``workers[-1]`` is always the live worker, so the caller stops it whatever happens."""
    kills, deadline = 0, time.monotonic() + 240
    while kills < KILLS and time.monotonic() < deadline:
        worker = workers[-1]
        if not horses_of(worker.pid):
            time.sleep(0.05)
            continue
        time.sleep(0.1)  # inside the job by now
        whole = kills % 4 == 3
        killed = False
        victims = [*children_of(worker.pid), worker.pid] if whole else horses_of(worker.pid)
        for pid in victims:
            with suppress(ProcessLookupError):  # its job may have ended meanwhile
                os.kill(pid, signal.SIGKILL)
                killed = True
        kills += killed
        if whole:
            worker.wait(10)
            stop(worker)
            workers.append(start_worker())
    return kills


def test_two_dozen_kills_leave_every_consent_bound_once_and_every_record_in_koski_once(
    koski_stack: KoskiStack,
) -> None:
    koski_stack.consented_and_passed(PEOPLE)
    koski_stack.koski.fail_next(*[SLOW_KOSKI] * PEOPLE)
    sent = "SELECT COUNT(*) FROM koski_submissions WHERE state = 'sent'"

    workers = [start_worker()]
    try:
        assert _kill_repeatedly(workers) == KILLS
        deadline = time.monotonic() + 300
        while koski_stack.count(sent) < PEOPLE and time.monotonic() < deadline:
            time.sleep(1)
    finally:
        stop(workers[-1])
    processed = "SELECT COUNT(*) FROM webhook_inbox WHERE state = 'processed'"
    assert koski_stack.count(processed) == PEOPLE
    assert koski_stack.count("SELECT COUNT(*) FROM consents WHERE state = 'valid'") == PEOPLE
    assert koski_stack.count(sent) == PEOPLE
    stored = koski_stack.koski.stored()
    assert len(stored) == PEOPLE  # one study right each, never a second
    assert len({s["oid"] for s in stored}) == PEOPLE
