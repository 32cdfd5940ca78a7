"""A failed job's exception text, as RQ keeps it in Redis for the dashboard, carries no hetu."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import pytest
import redis
from rq.job import JobStatus

from consent.adapters.queues import CONSENT_QUEUE, queue
from consent.config import Settings
from consent.hetu import HETU_PATTERN
from tests.conftest import REDIS_URL
from tests.hetus import make_hetu
from tests.redis_dump import everything
from workers.worker import build_worker


def fail_naming_a_person(row_id: int) -> None:
    """A job that fails as a library might: its error text echoes a hetu, in either case."""
    hetu = make_hetu(dt.date(2001, 2, 3), individual=100 + row_id)
    raise ValueError(f"no such person: {hetu} ({hetu.lower()})")


@pytest.fixture
def rq_logs_kept_in() -> Iterator[None]:
    """RQ logs the failure it is handed; here that is on purpose, so the session's log guard
    (which fails the run on any hetu in a record) must not see it. The redaction of logs has
    tests of its own (tests/unit/test_logs.py)."""
    rq_logger = logging.getLogger("rq")
    sink, propagated = logging.NullHandler(), rq_logger.propagate
    rq_logger.addHandler(sink)
    rq_logger.propagate = False
    yield
    rq_logger.removeHandler(sink)
    rq_logger.propagate = propagated


@pytest.mark.usefixtures("rq_logs_kept_in")
def test_a_failed_jobs_exception_text_reaches_redis_without_a_hetu(
    redis_client: redis.Redis,
) -> None:
    first = queue(CONSENT_QUEUE, redis_client).enqueue(f"{__name__}.fail_naming_a_person", 1)
    second = queue(CONSENT_QUEUE, redis_client).enqueue(f"{__name__}.fail_naming_a_person", 2)
    build_worker(Settings.from_env({"REDIS_URL": REDIS_URL})).work(burst=True)
    for job in (first, second):  # the first in the worker itself, the second in a work horse
        assert job.get_status(refresh=True) == JobStatus.FAILED
        result = job.latest_result()
        assert result is not None
        assert "ValueError: no such person: [hetu] ([hetu])" in str(result.exc_string)
    assert not HETU_PATTERN.search(everything(redis_client))  # job, result, failed registry
