"""GET /metrics: webhook outcomes, ledger states and queue depths, with nothing personal."""

from __future__ import annotations

import datetime as dt

import redis
from sqlalchemy import Engine

from consent.adapters.counters import RedisCounters
from consent.config import Settings
from consent.hetu import HETU_PATTERN
from tests.signing import body_of, event, hmac_secret, person, sign_v1
from web.app import create_app

SECRET = hmac_secret()
ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")


def test_metrics_count_outcomes_and_show_states_without_personal_data(
    engine: Engine, redis_client: redis.Redis
) -> None:
    client = create_app(
        Settings.from_env({"SIGNING_WEBHOOK_KEYS": SECRET}), engine=engine, broker=redis_client
    ).test_client()
    body = body_of(event(ADULT, ADULT))
    now = int(dt.datetime.now(dt.UTC).timestamp())
    good = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(now),
        "webhook-signature": sign_v1(SECRET, "msg_1", now, body),
    }
    assert (
        client.post(
            "/webhooks/signing", data=body, headers=good, content_type="application/json"
        ).status_code
        == 202
    )
    forged = {**good, "webhook-signature": sign_v1(hmac_secret(), "msg_1", now, body)}
    assert (
        client.post(
            "/webhooks/signing", data=body, headers=forged, content_type="application/json"
        ).status_code
        == 401
    )
    RedisCounters(redis_client).count("koski", status="403", key="forbidden.suostumusPeruttu")
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert 'vst_webhook_deliveries_total{outcome="accepted",reason="",status="202"} 1.0' in text
    rejected = 'outcome="rejected",reason="no_matching_signature",status="401"'
    assert f"vst_webhook_deliveries_total{{{rejected}}} 1.0" in text
    assert 'vst_koski_answers_total{key="forbidden.suostumusPeruttu",status="403"} 1.0' in text
    assert 'vst_inbox{state="received"} 1.0' in text
    assert 'vst_queue_jobs{queue="consent",status="queued"} 1.0' in text
    assert not HETU_PATTERN.search(text)
    assert "Virtanen" not in text
