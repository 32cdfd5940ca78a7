"""Outages under a stream of signed webhooks, on servers of the test's own that it kills:

- Redis dies and comes back empty: every delivery still gets 202 (stored, queued later) and
  ends bound; nothing acknowledged is lost.
- PostgreSQL stops: deliveries get 503 with Retry-After and nothing half-written; once it is
  back, the sender's retries are accepted and bound, each once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, text

from consent import binding
from consent.adapters.broker import connect
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.queues import RqJobQueue
from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.ledger import SqlLedger, utc_now
from consent.adapters.sql.migrate import upgrade
from consent.config import Settings
from tests.conftest import REDIS_URL
from tests.e2e.stack import SECRET, post_signed, send_signed
from tests.faults.servers import ThrowawayPostgres, ThrowawayRedis
from tests.signing import event, person
from web.app import create_app
from workers.worker import build_worker

pytestmark = pytest.mark.fault
STREAM = 60


PEOPLE = [
    person(dt.date(1960, 1, 1) + dt.timedelta(days=i), f"Testi{i}", "Henkilö")
    for i in range(STREAM)
]


def signed_by_self(index: int) -> dict[str, object]:
    """Person ``index`` signs their own consent."""
    return event(PEOPLE[index], PEOPLE[index])


def work(settings: Settings) -> None:
    """The sweeper's pass (as a minute later) and a worker draining every queue."""
    engine = make_engine(settings.database_url)
    ledger = SqlLedger(engine, AesGcmCipher(settings.pii_keys), utc_now)
    jobs = RqJobQueue(connect(settings.redis_url or ""))
    later = lambda: utc_now() + dt.timedelta(minutes=2)  # noqa: E731 - past the sweep's grace
    binding.sweep_deliveries(ledger, jobs, later)
    build_worker(settings).work(burst=True)


def bound(engine: Engine) -> tuple[int, int, int]:
    """(deliveries stored, deliveries processed, valid consents)."""
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT COUNT(*) FROM webhook_inbox")).scalar_one()
        processed = connection.execute(
            text("SELECT COUNT(*) FROM webhook_inbox WHERE state = 'processed'")
        ).scalar_one()
        valid = connection.execute(
            text("SELECT COUNT(*) FROM consents WHERE state = 'valid'")
        ).scalar_one()
    return int(stored), int(processed), int(valid)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNING_WEBHOOK_KEYS", SECRET)


def test_redis_lost_with_its_data_under_a_stream_loses_no_acknowledged_delivery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: None
) -> None:
    broker = ThrowawayRedis()
    broker.start()
    database = f"sqlite:///{tmp_path / 'ledger.db'}"
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("REDIS_URL", broker.url)
    upgrade(make_engine(database))
    settings = Settings.from_env()
    client = create_app(settings).test_client()
    statuses = []
    try:
        for i in range(STREAM):
            if i == STREAM // 3:
                broker.kill()  # queued jobs are gone with it
            if i == 2 * STREAM // 3:
                broker.start()  # back, empty
            statuses.append(post_signed(client, signed_by_self(i), f"msg_{i}"))
        assert statuses == [202] * STREAM  # stored in the ledger each time: acknowledged
        work(settings)
    finally:
        broker.kill()
    assert bound(make_engine(database)) == (STREAM, STREAM, STREAM)


def _stream(client: FlaskClient, pg: ThrowawayPostgres, engine: Engine) -> dict[int, int]:
    """Post the stream with PostgreSQL down for its middle third; each delivery's status."""
    statuses = {}
    for i in range(STREAM):
        if i == STREAM // 3:
            pg.stop()
        if i == 2 * STREAM // 3:
            pg.start()
            engine.dispose()  # connections from before the outage are dead
        answer = send_signed(client, signed_by_self(i), f"msg_{i}")
        statuses[i] = answer.status_code
        if answer.status_code == 503:
            assert answer.headers["Retry-After"] == "30"  # the sender knows when to come back
    return statuses


def test_postgresql_stopped_under_a_stream_answers_503_and_the_retries_are_bound_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_client: object, env: None
) -> None:
    pg = ThrowawayPostgres()
    pg.create()
    pg.start()
    try:
        monkeypatch.setenv("DATABASE_URL", pg.url)
        monkeypatch.setenv("REDIS_URL", REDIS_URL)
        engine = make_engine(pg.url)
        upgrade(engine)
        settings = Settings.from_env()
        client = create_app(settings, engine=engine).test_client()
        first = _stream(client, pg, engine)
        refused = [i for i, status in first.items() if status == 503]
        assert len(refused) == STREAM // 3  # exactly the outage, nothing else
        assert set(first.values()) == {202, 503}
        assert bound(engine)[0] == STREAM - len(refused)  # nothing half-written
        retried = {i: post_signed(client, signed_by_self(i), f"msg_{i}") for i in first}
        assert [retried[i] for i in refused] == [202] * len(refused)
        assert {retried[i] for i in first if i not in refused} == {200}  # already had them
        work(settings)
        assert bound(engine) == (STREAM, STREAM, STREAM)
        engine.dispose()
    finally:
        pg.remove()
