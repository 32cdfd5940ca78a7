"""Logs are JSON lines carrying the request id, and no personal data."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import redis
from sqlalchemy import Engine

from consent.config import Settings
from consent.hetu import HETU_PATTERN
from tests.signing import body_of, event, hmac_secret, person, sign_v1
from web.app import create_app

SECRET = hmac_secret()
ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")


def test_a_webhook_request_logs_json_with_its_request_id_and_no_hetu(
    engine: Engine, redis_client: redis.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    client = create_app(
        Settings.from_env({"SIGNING_WEBHOOK_KEYS": SECRET}), engine=engine, broker=redis_client
    ).test_client()
    body = body_of(event(ADULT, ADULT))
    now = int(dt.datetime.now(dt.UTC).timestamp())
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(now),
        "webhook-signature": sign_v1(SECRET, "msg_1", now, body),
        "X-Request-Id": "proxy-req-42",
    }
    capsys.readouterr()
    response = client.post(
        "/webhooks/signing", data=body, headers=headers, content_type="application/json"
    )
    assert response.headers["X-Request-Id"] == "proxy-req-42"
    lines = [
        json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")
    ]
    accepted = [line for line in lines if line["event"].startswith("webhook.accepted")]
    assert accepted
    assert accepted[0]["request_id"] == "proxy-req-42"
    assert {"timestamp", "level", "logger"} <= set(accepted[0])
    for line in lines:
        assert not HETU_PATTERN.search(json.dumps(line, ensure_ascii=False))
        assert "Virtanen" not in json.dumps(line, ensure_ascii=False)


def test_an_unsafe_request_id_is_replaced(engine: Engine, redis_client: redis.Redis) -> None:
    client = create_app(Settings.from_env({}), engine=engine, broker=redis_client).test_client()
    response = client.get("/healthz", headers={"X-Request-Id": "<script>\\n"})
    assert len(response.headers["X-Request-Id"]) == 32
    assert "<" not in response.headers["X-Request-Id"]
