"""The RQ job queue on the real Redis: unique binding jobs, and what the sweeper does."""

from __future__ import annotations

import datetime as dt

import redis
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from consent.adapters import binding_mark
from consent.adapters.counters import RedisCounters
from consent.adapters.queues import (
    BIND_BATCH,
    BIND_DELIVERIES,
    BIND_RESULTS,
    BINDING_RETRY,
    CONSENT_QUEUE,
    KOSKI_QUEUE,
    SUBMIT_BATCH,
    SUBMIT_RANGE,
    SUBMIT_TIMEOUT,
    RqJobQueue,
    queue,
)
from consent.ports import Counting


def test_a_new_delivery_asks_for_a_drain_and_is_counted_in_one_round_trip(
    redis_client: redis.Redis, round_trips: list[int]
) -> None:
    accepted = Counting("webhook", (("outcome", "accepted"),))
    RqJobQueue(redis_client).enqueue_new_binding(9, accepted)
    # RQ asks the server's version (INFO) once in a queue's life; then one pipeline: the
    # script that queues the drain, and the count
    assert round_trips == [1, 2]
    [job] = queue(CONSENT_QUEUE, redis_client).get_jobs()
    assert (job.func_name, job.args, job.get_status()) == (BIND_DELIVERIES, [], JobStatus.QUEUED)
    assert job.retries_left == BINDING_RETRY.max  # a killed worker's drain runs again
    assert RedisCounters(redis_client).totals("webhook") == {(("outcome", "accepted"),): 1}


def test_while_a_drain_holds_the_mark_a_delivery_only_looks_and_is_counted_once(
    redis_client: redis.Redis, round_trips: list[int]
) -> None:
    accepted = Counting("webhook", (("outcome", "accepted"),))
    jobs = RqJobQueue(redis_client)
    jobs.enqueue_new_binding(1, accepted)  # queues the drain
    jobs.enqueue_new_binding(2, accepted)  # finds the mark held by it
    before = len(round_trips)
    jobs.enqueue_new_binding(3, accepted)
    assert round_trips[before:] == [1]  # the look, which counts: no drain's job built or sent
    [drain] = queue(CONSENT_QUEUE, redis_client).get_job_ids()
    binding_mark.release(redis_client, drain)  # the drain found nothing more
    before = len(round_trips)
    jobs.enqueue_new_binding(4, accepted)  # looks, finds the mark free: asks for a drain
    assert len(round_trips) - before == 2
    assert len(queue(CONSENT_QUEUE, redis_client).get_job_ids()) == 2
    assert binding_mark.holder(redis_client) not in (None, drain)
    assert RedisCounters(redis_client).totals("webhook") == {(("outcome", "accepted"),): 4}


def _as_if(redis_client: redis.Redis, job_id: str, status: JobStatus) -> None:
    """Take a queued job off its queue and give it ``status``, as a worker would."""
    job = Job.fetch(job_id, redis_client, serializer=JSONSerializer)
    queue(job.origin, redis_client).remove(job)
    job.set_status(status)


def _bindings_waiting(redis_client: redis.Redis) -> dict[str, list[int]]:
    """The result-binding jobs on the consent queue: their ids and result ids."""
    waiting = queue(CONSENT_QUEUE, redis_client).get_jobs()
    return {job.id: job.args[0] for job in waiting if job.func_name == BIND_RESULTS}


def test_results_are_bound_in_batches_each_queued_once(redis_client: redis.Redis) -> None:
    jobs = RqJobQueue(redis_client)
    result_ids = [*range(250, 0, -1), 7, 7]  # any order, repeats
    jobs.enqueue_result_bindings(result_ids)
    jobs.enqueue_result_bindings(result_ids)  # asked for again while they wait
    batches = list(_bindings_waiting(redis_client).values())
    assert [len(batch) for batch in batches] == [BIND_BATCH, BIND_BATCH, 50]
    assert [i for batch in batches for i in batch] == list(range(1, 251))
    jobs.enqueue_result_bindings([])
    jobs.enqueue_result_bindings([3, 4])  # another set: a job of its own
    assert list(_bindings_waiting(redis_client).values())[-1] == [3, 4]


def test_a_result_binding_asked_for_after_its_job_finished_runs_again(
    redis_client: redis.Redis,
) -> None:
    jobs = RqJobQueue(redis_client)
    jobs.enqueue_result_bindings([5])
    [job_id] = _bindings_waiting(redis_client)
    _as_if(redis_client, job_id, JobStatus.FINISHED)  # its id lingers for a day
    jobs.enqueue_result_bindings([5])  # e.g. the participant's consent arrived later
    assert _bindings_waiting(redis_client) == {job_id: [5]}


def test_a_request_while_the_job_runs_queues_one_follow_up(redis_client: redis.Redis) -> None:
    jobs = RqJobQueue(redis_client)
    jobs.enqueue_result_bindings([6])
    [job_id] = _bindings_waiting(redis_client)
    _as_if(redis_client, job_id, JobStatus.STARTED)
    jobs.enqueue_result_bindings([6])
    jobs.enqueue_result_bindings([6])
    assert _bindings_waiting(redis_client) == {f"{job_id}-again": [6]}


def test_first_sends_are_queued_a_range_of_ids_to_a_job_each_range_once(
    redis_client: redis.Redis,
) -> None:
    jobs = RqJobQueue(redis_client)
    jobs.enqueue_submissions([45, 3, 19, 20, 3])  # any order, repeats
    jobs.enqueue_submissions([7, 59])  # asked for again while their jobs wait
    jobs.enqueue_submissions([])
    waiting = queue(KOSKI_QUEUE, redis_client).get_jobs()
    assert SUBMIT_BATCH == 20
    assert {job.id: job.args for job in waiting} == {
        "submit-range-0": [0, 19],
        "submit-range-20": [20, 39],
        "submit-range-40": [40, 59],
    }
    assert {job.func_name for job in waiting} == {SUBMIT_RANGE}
    assert {job.timeout for job in waiting} == {SUBMIT_TIMEOUT * SUBMIT_BATCH}
    _as_if(redis_client, "submit-range-0", JobStatus.STARTED)
    jobs.enqueue_submissions([4])  # bound while its range is being sent: a follow-up
    assert queue(KOSKI_QUEUE, redis_client).get_job_ids()[-1] == "submit-range-0-again"


def test_a_submission_schedules_its_own_retry_while_it_runs(redis_client: redis.Redis) -> None:
    jobs = RqJobQueue(redis_client)
    jobs.enqueue_submission(9)
    _as_if(redis_client, "submit-9", JobStatus.STARTED)
    jobs.enqueue_submission(9, dt.timedelta(seconds=10))  # what a failed KOSKI call asks for
    scheduled = queue(KOSKI_QUEUE, redis_client).scheduled_job_registry.get_job_ids(cleanup=False)
    assert scheduled == ["submit-9-again"]


def test_a_job_popped_by_a_worker_that_died_before_starting_it_is_queued_again(
    redis_client: redis.Redis,
) -> None:
    jobs = RqJobQueue(redis_client)
    jobs.enqueue_new_binding(8)
    jobs.enqueue_result_bindings([9])
    consent_queue = queue(CONSENT_QUEUE, redis_client)
    popped = consent_queue.get_job_ids()
    for job_id in popped:  # what BLPOP did before the kill
        redis_client.lrem(consent_queue.key, 0, job_id)
    assert consent_queue.get_job_ids() == []
    assert jobs.ensure_drain() == "enqueued"  # its status still says queued: not trusted
    jobs.enqueue_result_bindings([9])
    assert len(consent_queue.get_job_ids()) == 2
    assert popped[1] in consent_queue.get_job_ids()  # the results' batch under its own id
    jobs.enqueue_result_bindings([9])  # waiting for real now: nothing added
    assert jobs.ensure_drain() == "waiting"
    assert len(consent_queue.get_job_ids()) == 2
