"""The processes of an e2e test, configured through the environment as the Procfile runs them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine
from werkzeug.test import TestResponse

from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.migrate import upgrade
from tests.conftest import REDIS_URL
from tests.signing import body_of, hmac_secret, sign_v1
from workers.bootstrap import dependencies

SECRET = hmac_secret()


def configure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str = "", **extra: str
) -> Engine:
    """Point web and worker at a migrated ledger and the test Redis.

    The ledger is a fresh SQLite file unless ``database_url`` names an empty database."""
    database_url = database_url or f"sqlite:///{tmp_path / 'ledger.db'}"
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "SIGNING_WEBHOOK_KEYS": SECRET,
        **extra,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    engine = make_engine(database_url)
    upgrade(engine)
    dependencies.cache_clear()
    return engine


def post_signed(
    client: FlaskClient, document: dict[str, object], webhook_id: str, at: dt.datetime | None = None
) -> int:
    """Sign a consent event as the signing service does and post it; the status code."""
    status: int = send_signed(client, document, webhook_id, at).status_code
    return status


def send_signed(
    client: FlaskClient, document: dict[str, object], webhook_id: str, at: dt.datetime | None = None
) -> TestResponse:
    """Sign a consent event as the signing service does and post it; the whole answer."""
    body = body_of(document)
    timestamp = int((at or dt.datetime.now(dt.UTC)).timestamp())
    headers = {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign_v1(SECRET, webhook_id, timestamp, body),
    }
    return client.post(
        "/webhooks/signing", data=body, headers=headers, content_type="application/json"
    )
