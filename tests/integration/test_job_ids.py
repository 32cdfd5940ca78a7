"""Our job ids never hold a hetu's shape, so log redaction never cuts one (RQ logs them)."""

from __future__ import annotations

import redis

from consent.adapters.queues import CONSENT_QUEUE, RqJobQueue, queue
from consent.hetu import HETU_SHAPE


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
