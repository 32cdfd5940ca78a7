"""The broker: the embedded Valkey keeps its data; the worker runs jobs from the real Redis."""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path

import redis
from sqlalchemy.pool import QueuePool

from consent.adapters.broker import EmbeddedBroker, broker_url, connect
from consent.adapters.queues import CONSENT_QUEUE, KOSKI_QUEUE, QUEUES_BY_PRIORITY, queue
from consent.bootstrap import worker_services
from consent.config import Settings
from tests.conftest import REDIS_URL
from tests.net import free_port
from workers.worker import build_worker


def test_without_redis_url_the_embedded_server_is_used() -> None:
    settings = Settings.from_env({"VST_EMBEDDED_REDIS_PORT": "16999"})
    assert broker_url(settings) == "redis://127.0.0.1:16999/0"
    assert broker_url(Settings.from_env({"REDIS_URL": REDIS_URL})) == REDIS_URL


def test_the_embedded_server_keeps_queued_work_across_a_restart(tmp_path: Path) -> None:
    port = free_port()
    first = EmbeddedBroker(tmp_path / "valkey", port)
    client = connect(first.start())
    try:
        client.rpush("rq:queue:consent", "job-1")
    finally:
        client.close()
        first.stop()
    second = EmbeddedBroker(tmp_path / "valkey", port)
    client = connect(second.start())
    try:
        assert client.lrange("rq:queue:consent", 0, -1) == [b"job-1"]
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    finally:
        client.close()
        second.stop()


def test_the_worker_runs_jobs_whose_arguments_are_row_ids(redis_client: redis.Redis) -> None:
    queue(KOSKI_QUEUE, redis_client).enqueue("tests.jobs.remember", 2)
    queue(CONSENT_QUEUE, redis_client).enqueue("tests.jobs.remember", 1)
    worker = build_worker(Settings.from_env({"REDIS_URL": REDIS_URL}))
    assert [q.name for q in worker.queues] == list(QUEUES_BY_PRIORITY)
    worker.work(burst=True)
    assert redis_client.lrange("test:ran", 0, -1) == [b"1", b"2"]  # consent binding first
    job_id = queue(CONSENT_QUEUE, redis_client).finished_job_registry.get_job_ids()[0]
    stored = redis_client.hget(f"rq:job:{job_id}", "data")
    assert isinstance(stored, bytes)
    assert json.loads(zlib.decompress(stored)) == [
        "tests.jobs.remember",
        None,
        [1],
        {},
    ]  # JSON, not a pickle


def test_the_first_job_of_each_kind_runs_in_the_worker_and_the_rest_in_work_horses(
    redis_client: redis.Redis,
) -> None:
    jobs = [
        queue(CONSENT_QUEUE, redis_client).enqueue("tests.jobs.process_id", n) for n in range(3)
    ]
    services = worker_services(Settings.from_env({"REDIS_URL": REDIS_URL}))
    worker = build_worker(services=services)
    worker.work(burst=True)
    ran_in = [job.return_value(refresh=True) for job in jobs]
    assert ran_in[0] == os.getpid()  # warms the worker: horses forked later inherit its caches
    assert os.getpid() not in ran_in[1:]
    assert len(set(ran_in)) == 3  # a fresh horse each
    pool = services.engine.pool
    assert isinstance(pool, QueuePool)
    assert pool.checkedin() == 0  # nothing left open for the horses to share
