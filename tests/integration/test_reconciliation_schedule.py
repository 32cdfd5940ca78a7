"""When reconciliation runs (SQLite, PostgreSQL, the real Redis): a run is queued only once
records are due, never two at once, and a run that is cut short or killed leaves nothing
half-done: every record it did not check is still due."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
import redis
from rq.serializers import JSONSerializer
from sqlalchemy import Engine

from consent.adapters.counters import RedisCounters
from consent.adapters.koski import HttpKoski
from consent.adapters.queues import KOSKI_QUEUE, RECONCILE, queue, reconciliation_job
from consent.adapters.run_claim import RECONCILE_CLAIM
from consent.bootstrap import Services, bootstrap
from consent.config import Settings
from consent.koski_answers import KoskiAnswer
from tests.integration import test_grading
from tests.integration.test_grading import ADULT, GUARDIAN, MINOR, NOW, World, row
from tests.koski_server import PASSWORD, USER
from workers import jobs, reconciling

world = test_grading.world  # a course, the SQL ledger and a sandbox over HTTP
DAY = dt.timedelta(days=1)


class Clock:
    """A clock a test moves."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class KoskiKilledOnSecondRead(HttpKoski):
    """The worker dies (here: the job raises) while it reads the second record back."""

    reads = 0

    def get_opiskeluoikeus(self, oid: str) -> KoskiAnswer:
        self.reads += 1
        if self.reads == 2:
            raise SystemExit("the work horse was killed")
        return super().get_opiskeluoikeus(oid)


def services(
    world: World, engine: Engine, broker: redis.Redis, koski: HttpKoski, clock: Clock
) -> Services:
    """The worker's services over the test's ledger (its cipher), broker and KOSKI."""
    settings = Settings.from_env({"KOSKI_RECONCILE_PAUSE_MS": "0"})
    built = bootstrap(settings, engine=engine, broker=broker, koski=koski, clock=clock)
    return replace(built, submissions=world.submissions)


def sent(world: World, *people: dict[str, str]) -> list[int]:
    """These people consent and pass and are sent to KOSKI (at NOW): their submission ids."""
    for n, person in enumerate(people):
        signer = GUARDIAN if person is MINOR else person
        world.consent(person, signer, f"m{n}")
    world.import_rows([row(p) for p in people])
    world.work()
    return sorted(int(r["submission"]["id"]) for r in world.course_status("knoppi-2026-syksy"))


def queued(broker: redis.Redis) -> list[tuple[str, list[object]]]:
    waiting = queue(KOSKI_QUEUE, broker).get_jobs()
    return [(job.id, list(job.args)) for job in waiting if job.func_name == RECONCILE]


def test_a_run_is_queued_once_records_are_unseen_for_a_day_and_never_two_at_once(
    world: World, engine: Engine, redis_client: redis.Redis
) -> None:
    ids = sent(world, ADULT, MINOR)
    clock = Clock(NOW + dt.timedelta(hours=23))
    deps = services(world, engine, redis_client, world.koski, clock)
    assert reconciling.queue_reconciliation(deps) == 0  # sent within the day
    assert queued(redis_client) == []
    clock.now = NOW + DAY + dt.timedelta(minutes=1)
    assert reconciling.queue_reconciliation(deps) == 2
    assert reconciling.queue_reconciliation(deps) == 0  # one run is under way
    assert queued(redis_client) == [(reconciliation_job(ids), [ids])]
    assert jobs.reconcile(ids, deps) == {"found": 2}
    totals = RedisCounters(redis_client).totals("reconciliation")
    assert totals == {(("outcome", "found"),): 2}
    assert reconciling.queue_reconciliation(deps) == 0  # found just now: due again in a day
    clock.now += DAY + dt.timedelta(seconds=1)
    assert reconciling.queue_reconciliation(deps) == 2


def test_a_run_does_nothing_while_another_holds_the_claim(
    world: World, engine: Engine, redis_client: redis.Redis
) -> None:
    ids = sent(world, ADULT)
    clock = Clock(NOW + 2 * DAY)
    deps = services(world, engine, redis_client, world.koski, clock)
    assert reconciling.claim(deps).take("reconcile-other", 600)
    assert jobs.reconcile(ids, deps) == {}
    assert deps.record_checks.due_checks(NOW + DAY, 10) == ids  # not checked


def test_a_killed_run_leaves_the_records_it_did_not_check_due(
    world: World, engine: Engine, redis_client: redis.Redis
) -> None:
    ids = sent(world, ADULT, MINOR)
    clock = Clock(NOW + 2 * DAY)
    dying = KoskiKilledOnSecondRead(world.sandbox.url, USER, PASSWORD, "caller", timeout=(2, 2))
    deps = services(world, engine, redis_client, dying, clock)
    assert reconciling.queue_reconciliation(deps) == 2
    with pytest.raises(SystemExit):
        jobs.reconcile(ids, deps)
    assert reconciling.queue_reconciliation(deps) == 0  # its claim stands until it expires
    redis_client.flushdb()  # expired, or Redis restarted empty: the ledger still knows
    assert reconciling.queue_reconciliation(deps) == 1
    [(_, [left])] = queued(redis_client)
    assert left == ids[1:]


def test_a_run_koski_cuts_short_rests_before_the_next(
    world: World, engine: Engine, redis_client: redis.Redis
) -> None:
    ids = sent(world, ADULT, MINOR)
    clock = Clock(NOW + 2 * DAY)
    unreachable = HttpKoski("http://127.0.0.1:9", "u", "p", "caller", timeout=(1, 1))
    deps = services(world, engine, redis_client, unreachable, clock)
    assert reconciling.queue_reconciliation(deps) == 2
    assert jobs.reconcile(ids, deps) == {"failed": 1}  # stopped at the first: no verdict
    rest = redis_client.ttl(RECONCILE_CLAIM)
    assert 0 < rest <= reconciling.RECONCILE_REST
    assert reconciling.queue_reconciliation(deps) == 0
    assert deps.record_checks.due_checks(NOW + DAY, 10) == ids


def test_a_queued_run_carries_only_row_ids(
    world: World, engine: Engine, redis_client: redis.Redis
) -> None:
    ids = sent(world, ADULT)
    deps = services(world, engine, redis_client, world.koski, Clock(NOW + 2 * DAY))
    reconciling.queue_reconciliation(deps)
    [job] = queue(KOSKI_QUEUE, redis_client).get_jobs()
    assert job.serializer is JSONSerializer
    assert job.args == [ids]
    assert job.timeout == reconciling.run_bound(deps.settings)
