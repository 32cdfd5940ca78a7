"""Our job ids and worker names never hold a hetu's shape, so log redaction never cuts one
and no line naming one is refused (RQ logs them)."""

from __future__ import annotations

import string

import redis

from consent.adapters.counters import RedisCounters
from consent.adapters.queues import CONSENT_QUEUE, RqJobQueue, queue
from consent.hetu import HETU_SHAPE
from workers.measured_worker import MeasuredWorker


def test_a_results_batch_s_job_id_never_holds_a_hetu_shape_whatever_its_first_row_id(
    redis_client: redis.Redis,
) -> None:
    jobs = RqJobQueue(redis_client)
    first_ids = [210190 + n for n in range(60)] + [311299 - n for n in range(60)]
    for first in first_ids:  # row ids shaped like a birth date, followed by the batch's digest
        jobs.enqueue_result_bindings([first, first + 1])
    ids = queue(CONSENT_QUEUE, redis_client).get_job_ids()
    assert len(ids) == len(first_ids)
    assert [job_id for job_id in ids if HETU_SHAPE.search(job_id)] == []
    assert [job_id for job_id in ids if HETU_SHAPE.search(f"{job_id}-again")] == []


def test_a_workers_own_name_is_letters_only_so_its_lines_never_hold_a_hetus_shape(
    redis_client: redis.Redis,
) -> None:
    """RQ names a worker by a hex UUID unless told, and puts the name in nearly every line
    it logs: one such name in about 10,000 holds a valid hetu, and all its lines would be
    refused. Ours hold no digit."""
    counters = RedisCounters(redis_client)
    queues = [queue(CONSENT_QUEUE, redis_client)]
    names = {
        MeasuredWorker(queues, connection=redis_client, counters=counters).name for _ in range(50)
    }
    assert len(names) == 50
    assert all(set(name) <= set(string.ascii_lowercase) for name in names)
    given = MeasuredWorker(queues, connection=redis_client, counters=counters, name="given")
    assert given.name == "given"
