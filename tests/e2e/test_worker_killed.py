"""A worker killed with SIGKILL in the middle of a KOSKI submission loses nothing: started again,
the job completes, and the record exists in the KOSKI sandbox exactly once."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine, text

from consent import grading
from consent.adapters.counters import RedisCounters
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.queues import RqJobQueue
from consent.adapters.sql.grading import SqlGrading
from consent.adapters.sql.ledger import utc_now
from consent.config import Settings
from tests.courses import course
from tests.e2e.stack import configure, post_signed
from tests.koski_server import PASSWORD, USER, RunningSandbox, running_sandbox
from tests.processes import children_of, start_worker, stop
from tests.signing import event, person
from webhook.app import create_app
from workers.bootstrap import dependencies

ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
SLOW_KOSKI = 10  # seconds the sandbox holds the first PUT: the worker is killed meanwhile
RECOVERY = 60  # the promise: a killed worker's job is done again within a minute


@pytest.fixture
def stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_client: redis.Redis
) -> Iterator[tuple[RunningSandbox, Engine]]:
    """A KOSKI sandbox, and web and worker configured through the environment."""
    with running_sandbox(tmp_path / "koski.db") as koski:
        engine = configure(
            monkeypatch, tmp_path, KOSKI_URL=koski.url, KOSKI_USERNAME=USER, KOSKI_PASSWORD=PASSWORD
        )
        yield koski, engine
        dependencies.cache_clear()


def _consent_and_result(engine: Engine, jobs: RqJobQueue) -> None:
    assert post_signed(create_app().test_client(), event(ADULT, ADULT), "msg_kill") == 202
    settings = Settings.from_env()
    store = SqlGrading(engine, AesGcmCipher(settings.pii_keys), utc_now)
    the_course = course(end_date="2026-11-20")
    store.save_course(the_course, "test")
    row = {"hetu": ADULT["hetu"], "grade": "hyväksytty", "graded_on": "2026-11-19"}
    grading.import_results(the_course, [row], store, jobs, today=dt.date.today(), actor="test")


def _submission_state(engine: Engine) -> str | None:
    with engine.connect() as connection:
        state = connection.execute(text("SELECT state FROM koski_submissions")).scalar()
    return None if state is None else str(state)


def _wait_for(condition: str, engine: Engine, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while _submission_state(engine) != condition:
        assert time.monotonic() < deadline, f"no submission {condition} in {seconds} s"
        time.sleep(0.2)


@pytest.mark.parametrize("kill_horse", [True, False], ids=["worker-and-horse", "worker-only"])
def test_a_worker_killed_mid_submission_is_recovered_and_the_record_exists_once(
    stack: tuple[RunningSandbox, Engine], redis_client: redis.Redis, kill_horse: bool
) -> None:
    koski, engine = stack
    _consent_and_result(engine, RqJobQueue(redis_client))
    koski.fail_next(f"slow:{SLOW_KOSKI}")
    first = start_worker()
    try:
        _wait_for("in_flight", engine, 60)  # the horse is now waiting for KOSKI
        time.sleep(0.5)
        horses = children_of(first.pid)
        assert horses, "the worker runs its job in a work horse"
        for pid in [*horses, first.pid] if kill_horse else [first.pid]:
            os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        first.wait(10)
    finally:
        stop(first)
    second = start_worker()
    try:
        _wait_for("sent", engine, RECOVERY)
        print(f"recovered {time.monotonic() - killed_at:.1f} s after the kill")
    finally:
        errors = stop(second)
    assert len(koski.stored()) == 1, errors[-2000:]
    outcomes = RedisCounters(redis_client).totals("jobs")
    if kill_horse:  # the second worker found the dead one's job and ran it again
        assert outcomes[(("job", "submit"), ("outcome", "abandoned"))] == 1
    assert outcomes.get((("job", "submit"), ("outcome", "finished"))) == 1, errors


def test_sigterm_lets_the_worker_finish_its_current_submission_before_it_exits(
    stack: tuple[RunningSandbox, Engine], redis_client: redis.Redis
) -> None:
    koski, engine = stack
    _consent_and_result(engine, RqJobQueue(redis_client))
    koski.fail_next("slow:3")
    worker = start_worker()
    try:
        _wait_for("in_flight", engine, 60)
        worker.send_signal(signal.SIGTERM)  # what a process manager sends on stop
        assert worker.wait(30) == 0
    finally:
        stop(worker)
    assert _submission_state(engine) == "sent"
    assert len(koski.stored()) == 1
