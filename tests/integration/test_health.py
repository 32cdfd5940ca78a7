"""/healthz and /readyz, against the real database and Redis."""

from __future__ import annotations

import redis
from sqlalchemy import Engine

from consent.adapters.sql.migrate import upgrade
from consent.config import Settings
from web.app import create_app


def test_healthz_answers_while_the_process_lives(engine: Engine, redis_client: redis.Redis) -> None:
    client = create_app(Settings.from_env({}), engine=engine, broker=redis_client).test_client()
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_is_ok_when_database_migrations_and_broker_are(
    engine: Engine, redis_client: redis.Redis
) -> None:
    client = create_app(Settings.from_env({}), engine=engine, broker=redis_client).test_client()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": ["broker", "database"]}


def test_readyz_reports_pending_migrations(empty_engine: Engine, redis_client: redis.Redis) -> None:
    client = create_app(
        Settings.from_env({}), engine=empty_engine, broker=redis_client
    ).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "failures": {"database": "migrations pending"},
    }
    upgrade(empty_engine)
    assert client.get("/readyz").status_code == 200


def test_readyz_reports_an_unreachable_broker_without_its_address(engine: Engine) -> None:
    dead = redis.Redis.from_url("redis://:s3cret@127.0.0.1:1/0", socket_connect_timeout=0.5)
    client = create_app(Settings.from_env({}), engine=engine, broker=dead).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "failures": {"broker": "unreachable (ConnectionError)"},
    }
    assert b"s3cret" not in response.data
