"""A worker killed with SIGKILL in the middle of a KOSKI submission loses nothing: started again,
the job completes, and the record exists in the KOSKI sandbox exactly once. Both submissions
are in one range of ids, so one job sends them, unless the first was sent before the second
was bound."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from rq.scheduler import RQScheduler
from sqlalchemy import Engine, text

from consent import grading
from consent.adapters.counters import Labels, RedisCounters
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.queues import CONSENT_QUEUE, RqJobQueue
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.results import SqlResults
from consent.config import Settings
from tests.courses import course
from tests.e2e.stack import configure, post_signed
from tests.koski_server import PASSWORD, USER, RunningSandbox, running_sandbox
from tests.processes import children_of, horses_of, start_worker, stop
from tests.signing import event, person
from web.app import create_app

EARLIER = person(dt.date(1985, 3, 3), "Eero", "Lahtinen")  # sent first: the worker is then warm
ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
SLOW_KOSKI = 10  # seconds the sandbox holds ADULT's PUT: the worker is killed meanwhile
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


def _consents_and_results(
    engine: Engine, jobs: RqJobQueue, members: tuple[dict[str, str], ...] = (EARLIER, ADULT)
) -> None:
    """EARLIER and ADULT consented; ``members``' results passed, in that order."""
    client = create_app().test_client()
    for n, member in enumerate((EARLIER, ADULT)):
        assert post_signed(client, event(member, member), f"msg_kill_{n}") == 202
    _results(engine, jobs, members)


def _results(engine: Engine, jobs: RqJobQueue, members: tuple[dict[str, str], ...]) -> None:
    settings = Settings.from_env()
    store = SqlResults(engine, AesGcmCipher(settings.pii_keys), utc_now)
    the_course = course(end_date="2026-11-20")
    SqlCourses(engine, utc_now).save_course(the_course, "test")
    rows = [
        {"hetu": member["hetu"], "grade": "hyväksytty", "graded_on": "2026-11-19"}
        for member in members
    ]
    grading.import_results(the_course, rows, store, jobs, today=dt.date.today(), actor="test")


def _submission_states(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT state FROM koski_submissions ORDER BY id"))
        return [str(state) for state in rows.scalars()]


def _wait_for(states: list[str], engine: Engine, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while _submission_states(engine) != states:
        assert time.monotonic() < deadline, f"submissions not {states} in {seconds} s"
        time.sleep(0.2)


def _recovered_by_a_new_worker(
    koski: RunningSandbox, engine: Engine, redis_client: redis.Redis, killed_at: float
) -> dict[Labels, int]:
    """Start another worker: both records are sent within RECOVERY, once each, and the
    sending jobs finished. The job outcomes counted, for what the caller asserts besides."""
    second = start_worker()
    try:
        _wait_for(["sent", "sent"], engine, RECOVERY)
        print(f"recovered {time.monotonic() - killed_at:.1f} s after the kill")
    finally:
        errors = stop(second)
    assert len(koski.stored()) == 2, errors[-2000:]  # one record each, never a second
    outcomes = RedisCounters(redis_client).totals("jobs")
    assert outcomes.get((("job", "submit_range"), ("outcome", "finished"))), errors
    return outcomes


@pytest.mark.parametrize("kill_horse", [True, False], ids=["worker-and-horse", "worker-only"])
def test_a_worker_killed_mid_submission_is_recovered_and_the_record_exists_once(
    stack: tuple[RunningSandbox, Engine], redis_client: redis.Redis, kill_horse: bool
) -> None:
    koski, engine = stack
    jobs = RqJobQueue(redis_client)
    _consents_and_results(engine, jobs, (EARLIER,))
    # The worker's first sending job runs in the worker itself (to warm it); the second one,
    # in a work horse, is held by KOSKI while the worker is killed.
    koski.fail_next("slow:0", f"slow:{SLOW_KOSKI}")
    first = start_worker()
    try:
        _wait_for(["sent"], engine, 60)
        _results(engine, jobs, (ADULT,))
        _wait_for(["sent", "in_flight"], engine, 60)  # the horse is now waiting for KOSKI
        time.sleep(0.5)
        horses = horses_of(first.pid)
        assert horses, "the worker runs its job in a work horse"
        for pid in [*horses, first.pid] if kill_horse else [first.pid]:
            os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        first.wait(10)
    finally:
        stop(first)
    outcomes = _recovered_by_a_new_worker(koski, engine, redis_client, killed_at)
    assert outcomes[(("job", "submit_range"), ("outcome", "finished"))] == 2
    if kill_horse:  # the second worker found the dead one's job and ran it again
        assert outcomes[(("job", "submit_range"), ("outcome", "abandoned"))] == 1


def test_a_worker_killed_in_a_job_it_runs_itself_is_recovered_and_the_record_exists_once(
    stack: tuple[RunningSandbox, Engine], redis_client: redis.Redis
) -> None:
    koski, engine = stack
    _consents_and_results(engine, RqJobQueue(redis_client))
    koski.fail_next(f"slow:{SLOW_KOSKI}")  # in the worker's first sending job, run in the worker
    first = start_worker()
    try:
        _wait_for(["in_flight", "pending"], engine, 60)
        time.sleep(0.5)
        os.killpg(first.pid, signal.SIGKILL)  # the worker (running the job) and its scheduler
        killed_at = time.monotonic()
        first.wait(10)
    finally:
        stop(first)
    outcomes = _recovered_by_a_new_worker(koski, engine, redis_client, killed_at)
    # its heartbeat was renewed while it ran, then lapsed: the new worker ran it again, and
    # sent again at once the submission it had left in flight
    assert outcomes[(("job", "submit_range"), ("outcome", "abandoned"))] == 1
    assert outcomes[(("job", "submit_range"), ("outcome", "finished"))] == 1


def test_sigterm_lets_the_worker_finish_its_current_submission_before_it_exits(
    stack: tuple[RunningSandbox, Engine], redis_client: redis.Redis
) -> None:
    koski, engine = stack
    _consents_and_results(engine, RqJobQueue(redis_client))
    koski.fail_next("slow:0", "slow:3")
    worker = start_worker()
    try:
        _wait_for(["sent", "in_flight"], engine, 60)
        worker.send_signal(signal.SIGTERM)  # what a process manager sends on stop
        assert worker.wait(30) == 0
    finally:
        stop(worker)
    assert _submission_states(engine) == ["sent", "sent"]
    assert len(koski.stored()) == 2


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (an ended orphan nobody has reaped yet counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _scheduler_of(worker: int, seconds: float = 30) -> int:
    """The pid of the scheduler process the worker ``worker`` forks once it holds the locks."""
    deadline = time.monotonic() + seconds
    while not (children := [c for c in children_of(worker) if c not in horses_of(worker)]):
        assert time.monotonic() < deadline, f"worker {worker} started no scheduler"
        time.sleep(0.2)
    [scheduler] = children
    return scheduler


def test_the_scheduler_of_a_worker_killed_with_sigkill_stops_and_lets_go_of_its_lock(
    stack: tuple[RunningSandbox, Engine], redis_client: redis.Redis
) -> None:
    lock = RQScheduler.get_locking_key(CONSENT_QUEUE)
    worker = start_worker()
    try:
        scheduler = _scheduler_of(worker.pid)
        assert redis_client.get(lock) is not None
        os.kill(worker.pid, signal.SIGKILL)  # the OOM killer, or a process manager's last resort
        worker.wait()
        deadline = time.monotonic() + 10
        while _alive(scheduler):  # not left running on its own, out of the manager's reach
            assert time.monotonic() < deadline, "the scheduler outlived its worker"
            time.sleep(0.1)
        assert redis_client.get(lock) is None  # released, not held until it expires
    finally:
        stop(worker)
    again = start_worker()  # a worker started again schedules at once
    try:
        _scheduler_of(again.pid, seconds=15)
        assert redis_client.get(lock) is not None
    finally:
        stop(again)
