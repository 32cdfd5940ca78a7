"""The worker is killed with SIGKILL again and again (its work horse mostly, sometimes the whole
worker) while it binds consents and sends results to a slow KOSKI sandbox, on PostgreSQL and
Redis. In the end every accepted event is bound once and every eligible result exists once in
KOSKI."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from contextlib import suppress

import pytest

from consent.adapters.counters import RedisCounters
from consent.adapters.queues import BIND_RESULTS, CONSENT_QUEUE, KOSKI_QUEUE, queue
from tests.faults.conftest import KoskiStack
from tests.processes import children_of, horses_of, start_worker, stop

pytestmark = pytest.mark.fault
# Results are sent twenty to a job, a worker started again runs its first job of each kind
# itself, not in a work horse, and consents are bound by a drain in the worker itself: enough
# people that the sending jobs alone keep horses busy for all the kills (with 100, the work
# was sometimes all done before the two dozen kills had landed).
PEOPLE = 200
KILLS = 24  # every fourth one takes the whole worker down, not just its work horse
SLOW_KOSKI = "slow:0.4"  # each PUT takes a while, so kills land inside KOSKI calls
# How long any one wait may last. Each returns as soon as its condition holds: the bound only
# ends a run that hangs. On a slow day of the shared machine (2026-11-25: 15-22 % of its time
# stolen by the host) the worker needed over two minutes for the 300 consents alone.
PATIENCE = 600


def _kill_repeatedly(workers: list[subprocess.Popen[bytes]]) -> int:
    """Kill the worker's work horse mid-job, and every fourth time the whole worker with its
    scheduler (then start another), KILLS times.

    ``workers[-1]`` is always the live worker, so the caller stops it whatever happens."""
    kills, deadline = 0, time.monotonic() + PATIENCE
    while kills < KILLS and time.monotonic() < deadline:
        worker = workers[-1]
        if not horses_of(worker.pid):
            time.sleep(0.05)
            continue
        time.sleep(random.uniform(0.1, 0.6))  # noqa: S311 - inside the job by now, somewhere
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
    koski_stack.koski.fail_next(*[SLOW_KOSKI] * 2 * PEOPLE)  # and the PUTs sent again
    sent = "SELECT COUNT(*) FROM koski_submissions WHERE state = 'sent'"

    workers = [start_worker()]
    try:
        assert _kill_repeatedly(workers) == KILLS
        _wait_until(koski_stack, sent, PEOPLE)
    finally:
        stop(workers[-1])
    processed = "SELECT COUNT(*) FROM webhook_inbox WHERE state = 'processed'"
    assert koski_stack.count(processed) == PEOPLE
    assert koski_stack.count("SELECT COUNT(*) FROM consents WHERE state = 'valid'") == PEOPLE
    assert koski_stack.count(sent) == PEOPLE
    stored = koski_stack.koski.stored()
    assert len(stored) == PEOPLE  # one study right each, never a second
    assert len({s["oid"] for s in stored}) == PEOPLE


BATCHED = 300  # results imported at once: three binding jobs of a hundred
RESIGNED = 30  # participants who then sign their consent again


def _answered_200(stack: KoskiStack) -> int:
    """PUTs KOSKI answered with 200, as the workers counted them."""
    totals = RedisCounters(stack.redis).totals("koski")
    return sum(n for labels, n in totals.items() if dict(labels)["status"] == "200")


def test_a_binding_batch_killed_midway_binds_each_result_once_and_sends_each_once(
    koski_stack: KoskiStack,
) -> None:
    members = koski_stack.consented_and_passed(BATCHED)
    sent = "SELECT COUNT(*) FROM koski_submissions WHERE state = 'sent'"
    processed = "SELECT COUNT(*) FROM webhook_inbox WHERE state = 'processed'"
    worker = start_worker()
    try:
        kills, deadline = 0, time.monotonic() + PATIENCE
        while kills < 2 and time.monotonic() < deadline:  # the worker runs the first itself
            if not horses_of(worker.pid, BIND_RESULTS):
                time.sleep(0.01)
                continue
            time.sleep(0.15)  # a batch of one is done by now; one of a hundred is midway
            for pid in horses_of(worker.pid, BIND_RESULTS):
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                    kills += 1
        assert kills == 2
        _wait_until(koski_stack, sent, BATCHED)
        koski_stack.sign(members[:RESIGNED], round_=1)  # signed anew: results bound again
        _wait_until(koski_stack, processed, BATCHED + RESIGNED)
        _wait_until_idle(koski_stack)  # and whatever that binding queued has run
    finally:
        stop(worker)
    assert koski_stack.count("SELECT COUNT(*) FROM results WHERE binding = 'eligible'") == BATCHED
    assert koski_stack.count("SELECT COUNT(*) FROM koski_submissions") == BATCHED
    assert koski_stack.count(sent) == BATCHED
    stored = koski_stack.koski.stored()
    assert len({s["oid"] for s in stored}) == len(stored) == BATCHED
    # bound again by retried batches, each consent's own binding and the new signatures:
    # each record was still sent once
    assert _answered_200(koski_stack) == BATCHED


def _wait_until_idle(stack: KoskiStack) -> None:
    """Until no job waits or runs on the consent and KOSKI queues."""
    queues = [queue(name, stack.redis) for name in (CONSENT_QUEUE, KOSKI_QUEUE)]
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline and any(
        q.count or q.started_job_registry.get_job_ids() for q in queues
    ):
        time.sleep(0.5)


def _wait_until(stack: KoskiStack, sql: str, expected: int, seconds: float = PATIENCE) -> None:
    """Until ``sql`` counts ``expected`` rows, or ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while stack.count(sql) < expected and time.monotonic() < deadline:
        time.sleep(0.5)
