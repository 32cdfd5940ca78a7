"""The drain on the real ledger (SQLite and PostgreSQL) and Redis: one drain queued for a
burst, every delivery bound, a poison row bound by nobody yet stopping nobody, a delivery
stored as the mark is cleared still bound, and a killed drain's mark lapsing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import redis
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy import Engine, text

from consent import binding
from consent.adapters import binding_mark
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.queues import BIND_DELIVERIES, CONSENT_QUEUE, RqJobQueue, queue
from consent.adapters.sql.ledger import SqlLedger
from consent.errors import LedgerContention
from consent.model import ConsentRecord, ConsentState, InboxDelivery
from consent.ports import BindingRun
from tests.signing import body_of, event, person

NOW = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)


def store(ledger: SqlLedger, n: int) -> int:
    member = person(dt.date(1980, 1, 1) + dt.timedelta(days=n), f"Testi{n}", "Henkilö")
    document = event(member, member)
    delivery = InboxDelivery(
        "signing", f"msg_{n}", 1, "v1,x", "k", document["type"], body_of(document), NOW
    )
    return ledger.store_delivery(delivery).inbox_id


def rows(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(sql))]


def drain(ledger: SqlLedger, run: BindingRun) -> dict[str, int]:
    return binding.bind_deliveries(ledger, run, lambda: NOW, lambda _batch: None)


def drains_queued(redis_client: redis.Redis) -> list[str]:
    jobs = queue(CONSENT_QUEUE, redis_client).get_jobs()
    assert {job.func_name for job in jobs} <= {BIND_DELIVERIES}
    return [job.id for job in jobs]


def test_a_burst_of_deliveries_queues_one_drain_in_one_round_trip_each(
    redis_client: redis.Redis, round_trips: list[int]
) -> None:
    jobs = RqJobQueue(redis_client)
    for inbox_id in range(1, 11):
        jobs.enqueue_new_binding(inbox_id)
    # one each, whether or not it queued the drain, after RQ's one INFO in a queue's life
    assert len(round_trips) == 1 + 10
    [drain_id] = drains_queued(redis_client)
    assert binding_mark.holder(redis_client) == drain_id
    job = Job.fetch(drain_id, redis_client, serializer=JSONSerializer)
    assert (job.args, job.get_status(), job.retries_left) == ([], JobStatus.QUEUED, 5)


def test_the_drain_binds_every_waiting_delivery_and_clears_the_mark(
    engine: Engine, cipher: AesGcmCipher, redis_client: redis.Redis
) -> None:
    ledger = SqlLedger(engine, cipher, lambda: NOW)
    jobs = RqJobQueue(redis_client)
    for n in range(1, 121):
        store(ledger, n)
        jobs.enqueue_new_binding(n)
    [drain_id] = drains_queued(redis_client)
    assert drain(ledger, jobs.binding_run(drain_id)) == {"signed: valid": 120}
    assert rows(engine, "SELECT state, count(*) FROM webhook_inbox GROUP BY state") == [
        ("processed", 120)
    ]
    assert rows(engine, "SELECT count(*) FROM consents WHERE state = 'valid'") == [(120,)]
    assert binding_mark.holder(redis_client) is None
    jobs.enqueue_new_binding(121)  # the next delivery queues a new drain
    assert len(drains_queued(redis_client)) == 2


def test_a_poison_row_is_counted_and_passed_over_while_the_others_are_bound(
    engine: Engine, cipher: AesGcmCipher, redis_client: redis.Redis
) -> None:
    ledger = SqlLedger(engine, cipher, lambda: NOW)
    ids = [store(ledger, n) for n in range(1, 6)]
    with engine.begin() as connection:  # a body no key opens: its binding always raises
        broken = text("UPDATE webhook_inbox SET body_sealed = :junk WHERE id = :id")
        connection.execute(broken, {"junk": b"\x00" * 40, "id": ids[2]})
    run = RqJobQueue(redis_client).binding_run("bind-deliveries-test")
    assert drain(ledger, run) == {"signed: valid": 4, "failed": 1}
    assert rows(engine, "SELECT id, state, attempts FROM webhook_inbox ORDER BY id") == [
        (ids[0], "processed", 1),
        (ids[1], "processed", 1),
        (ids[2], "received", 1),  # undone alone; counted; the next drain tries it again
        (ids[3], "processed", 1),
        (ids[4], "processed", 1),
    ]
    for _ in range(binding.BIND_ATTEMPTS - 1):
        drain(ledger, run)
    assert rows(engine, "SELECT state, outcome FROM webhook_inbox ORDER BY id")[2] == (
        "failed",
        "binding failed (TamperedCiphertext)",
    )


def test_a_conflict_in_the_database_is_contention_and_the_batch_goes_on(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    """As when two drains bind two events of one new participant: the second's consent
    insert meets the first's row (a unique key), which says nothing against its delivery."""
    ledger = SqlLedger(engine, cipher, lambda: NOW)
    first, second = store(ledger, 1), store(ledger, 2)
    binding.bind_batch(ledger, lambda: NOW, limit=1)
    ((course_code, participant_id),) = rows(
        engine,
        "SELECT course_code, participant_id FROM consents",  # the first's, the only one
    )
    again = ConsentRecord(
        None,
        course_code,
        participant_id,
        ConsentState.VALID,
        None,
        None,
        None,
        None,
        None,
        first,
        NOW,
    )
    with ledger.batch() as batch:
        with pytest.raises(LedgerContention), batch.delivery() as tx:
            tx.save_consent(again)  # the row the other drain committed is already there
        assert batch.claim_waiting(10, ()) == [second]  # the savepoint undone, the batch usable
    bound = binding.bind_batch(ledger, lambda: NOW)
    assert [inbox_id for inbox_id, _ in bound.bound] == [second]
    assert rows(engine, "SELECT COUNT(*) FROM consents") == [(2,)]


class ArrivingAtTheClearing:
    """The drain's mark, with a request arriving just before the drain clears it: its row
    committed, it finds the mark set, so it queues nothing."""

    def __init__(self, run: BindingRun, arrive: Any) -> None:
        self._run, self._arrive = run, arrive

    def hold(self) -> bool:
        return self._run.hold()

    def release(self) -> None:
        if self._arrive is not None:
            self._arrive()
            self._arrive = None
        self._run.release()

    def hand_over(self) -> None:
        self._run.hand_over()


def test_a_delivery_stored_just_before_the_mark_is_cleared_is_bound_by_the_look_once_more(
    engine: Engine, cipher: AesGcmCipher, redis_client: redis.Redis
) -> None:
    ledger = SqlLedger(engine, cipher, lambda: NOW)
    jobs = RqJobQueue(redis_client)
    store(ledger, 1)
    jobs.enqueue_new_binding(1)
    [drain_id] = drains_queued(redis_client)
    late: list[int] = []

    def arrive() -> None:
        late.append(store(ledger, 2))
        jobs.enqueue_new_binding(late[0])

    run = ArrivingAtTheClearing(jobs.binding_run(drain_id), arrive)
    assert drain(ledger, run) == {"signed: valid": 2}
    assert drains_queued(redis_client) == [drain_id]  # the late request queued nothing
    assert rows(engine, "SELECT state FROM webhook_inbox ORDER BY id") == [
        ("processed",),
        ("processed",),
    ]
    assert binding_mark.holder(redis_client) is None


def test_a_killed_drain_s_mark_lapses_and_the_next_delivery_queues_a_new_drain(
    redis_client: redis.Redis,
) -> None:
    jobs = RqJobQueue(redis_client)
    jobs.enqueue_new_binding(1)
    [killed] = drains_queued(redis_client)
    queue(CONSENT_QUEUE, redis_client).remove(killed)  # popped by a worker, killed mid-run
    assert jobs.binding_run(killed).hold()  # its last renewal
    assert 0 < redis_client.ttl(binding_mark.MARK) <= binding_mark.MARK_TTL
    jobs.enqueue_new_binding(2)
    assert drains_queued(redis_client) == []  # the mark still stands for the killed drain
    redis_client.pexpire(binding_mark.MARK, 1)  # MARK_TTL seconds pass without a renewal
    while redis_client.exists(binding_mark.MARK):
        pass
    jobs.enqueue_new_binding(3)
    [fresh] = drains_queued(redis_client)
    assert fresh != killed
    assert binding_mark.holder(redis_client) == fresh


def test_the_sweeper_replaces_a_mark_whose_drain_is_gone(redis_client: redis.Redis) -> None:
    jobs = RqJobQueue(redis_client)
    assert jobs.ensure_drain() == "enqueued"
    [first] = drains_queued(redis_client)
    assert jobs.ensure_drain() == "waiting"  # queued: left alone
    Job.fetch(first, redis_client, serializer=JSONSerializer).delete()  # Redis lost the job
    assert binding_mark.holder(redis_client) == first
    assert jobs.ensure_drain() == "enqueued"
    [second] = drains_queued(redis_client)
    assert second != first
    assert binding_mark.holder(redis_client) == second
