"""The run claim on the real Redis: one holder at a time, renewed, rested and released only
by its holder, and gone with Redis."""

from __future__ import annotations

import redis

from consent.adapters.counters import RedisCounters
from consent.adapters.queues import KOSKI_QUEUE, RECONCILE, RqJobQueue, queue, reconciliation_job
from consent.adapters.run_claim import RedisRunClaim

KEY = "test:claim"


def test_only_one_holder_takes_the_claim(redis_client: redis.Redis) -> None:
    claim = RedisRunClaim(redis_client, KEY)
    assert claim.take("run-1", 60)
    assert not claim.take("run-2", 60)
    assert claim.hold("run-1", 120)  # its holder renews it
    assert 60 < redis_client.ttl(KEY) <= 120
    assert not claim.hold("run-2", 120)


def test_only_its_holder_rests_or_releases_the_claim(redis_client: redis.Redis) -> None:
    claim = RedisRunClaim(redis_client, KEY)
    claim.take("run-1", 600)
    claim.release("run-2")
    claim.keep("run-2", 5)
    assert (redis_client.get(KEY), redis_client.ttl(KEY) > 5) == (b"run-1", True)
    claim.keep("run-1", 5)
    assert 0 < redis_client.ttl(KEY) <= 5
    claim.release("run-1")
    assert redis_client.get(KEY) is None
    assert claim.hold("run-2", 60)  # free: taken


def test_a_reconciliation_run_is_queued_once_with_its_ids_and_timeout(
    redis_client: redis.Redis,
) -> None:
    jobs = RqJobQueue(redis_client)
    jobs.enqueue_reconciliation([3, 5, 8], 900)
    jobs.enqueue_reconciliation([3, 5, 8], 900)
    [job] = queue(KOSKI_QUEUE, redis_client).get_jobs()
    assert (job.id, job.func_name, job.args, job.timeout) == (
        reconciliation_job([3, 5, 8]),
        RECONCILE,
        [[3, 5, 8]],
        900,
    )
    assert reconciliation_job([3, 5, 8]) != reconciliation_job([3, 5, 9])


def test_a_tally_is_counted_at_once(redis_client: redis.Redis) -> None:
    counters = RedisCounters(redis_client)
    counters.count_by("reconciliation", 7, outcome="found")
    counters.count("reconciliation", outcome="found")
    assert counters.totals("reconciliation") == {(("outcome", "found"),): 8}
