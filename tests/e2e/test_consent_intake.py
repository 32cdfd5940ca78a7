"""A signed POST, through the inbox and the real RQ worker, to a bound consent."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from rq.utils import import_attribute
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from consent.adapters.queues import BIND_CONSENT
from consent.bootstrap import worker_services
from consent.config import Settings
from tests.e2e.stack import configure, post_signed
from tests.fakes import RecordingQueue
from tests.signing import event, person
from web.app import create_app
from workers import jobs, sweeper
from workers.sweeper import SWEEP_CLAIM, sweep_if_due
from workers.worker import build_worker

ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
GUARDIAN = person(dt.date(1980, 2, 2), "Maija", "Korhonen")
MINOR = person(dt.date(2011, 4, 4), "Onni", "Korhonen")


@pytest.fixture
def stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_client: redis.Redis
) -> Iterator[Engine]:
    """Web and worker configured alike through the environment."""
    engine = configure(monkeypatch, tmp_path)
    yield engine
    engine.dispose()


def consents(engine: Engine) -> list[tuple[str, str | None]]:
    query = text("SELECT state, signer_relation FROM consents ORDER BY id")
    with engine.connect() as connection:
        return [(r[0], r[1]) for r in connection.execute(query)]


def test_the_web_side_enqueues_the_real_job_function() -> None:
    assert import_attribute(BIND_CONSENT) is jobs.bind_consent


def test_signed_events_end_as_bound_consents_and_nothing_personal_is_left_in_redis(
    stack: Engine, redis_client: redis.Redis
) -> None:
    client = create_app().test_client()
    assert post_signed(client, event(ADULT, ADULT), "msg_adult") == 202
    assert post_signed(client, event(MINOR, GUARDIAN), "msg_guardian") == 202
    assert post_signed(client, event(MINOR, MINOR, course="toinen"), "msg_alone") == 202
    assert post_signed(client, event(ADULT, ADULT), "msg_adult") == 200
    build_worker(Settings.from_env()).work(burst=True)
    assert consents(stack) == [("valid", "self"), ("valid", "guardian"), ("rejected", None)]
    stored = b" ".join(redis_client.dump(key) or b"" for key in redis_client.scan_iter("*"))
    for secret in (ADULT["hetu"], MINOR["hetu"], GUARDIAN["hetu"], "Virtanen", "Korhonen"):
        assert secret.encode() not in stored
    assert not re.search(rb"\d{6}[-+A-FYXWVU]\d{3}[0-9A-Y]", stored)


def test_a_delivery_whose_job_was_lost_is_bound_after_the_sweep(
    stack: Engine, redis_client: redis.Redis
) -> None:
    two_minutes_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
    broker_down = RecordingQueue(fail_with=redis.ConnectionError("down"))
    lost = create_app(queue=broker_down, clock=lambda: two_minutes_ago).test_client()
    assert post_signed(lost, event(ADULT, ADULT), "msg_lost", at=two_minutes_ago) == 202
    assert consents(stack) == []
    build_worker(Settings.from_env()).work(burst=True)  # its first maintenance sweeps
    assert consents(stack) == [("valid", "self")]
    assert redis_client.get(SWEEP_CLAIM)  # and no other worker sweeps again within the minute


def test_one_worker_sweeps_a_minute_and_a_failed_sweep_leaves_the_worker_running(
    stack: Engine, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sweep_if_due(worker_services(), redis_client, "worker-a")
    assert not sweep_if_due(worker_services(), redis_client, "worker-b")  # within the minute
    assert redis_client.ttl(SWEEP_CLAIM) > 50

    def database_down(_deps: object) -> dict[str, int]:
        raise OperationalError("SELECT", {}, ConnectionRefusedError())

    redis_client.delete(SWEEP_CLAIM)
    monkeypatch.setattr(sweeper, "sweep", database_down)
    assert not sweep_if_due(worker_services(), redis_client, "worker-a")  # logged, not raised
