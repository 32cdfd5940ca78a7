"""A request the web worker cut off at its read deadline (a 408, ``web/serving.py``) is
logged with its reason, and on the webhook counted as a rejected delivery, as a 413 is.

The worker raises :class:`RequestReadTimeout` from the body's stream, inside the app; here a
stream that raises it at its first read stands in for a client that stopped sending."""

from __future__ import annotations

import io

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import Engine

from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.config import Settings
from consent.staff import Role
from web.app import create_app
from web.serving import RequestReadTimeout

# Ours, in a path, and the client's, in a query string: neither may reach a log line.
PRIVATE = "Virtanen"


class _StalledBody(io.BytesIO):
    """A body of 60,000 bytes, as declared, whose client stopped sending: the worker's
    deadline passes at the first read."""

    def __init__(self) -> None:
        super().__init__(b" " * 60_000)  # its length is the request's Content-Length

    def read(self, *_args: object) -> bytes:
        raise RequestReadTimeout

    def readline(self, *_args: object) -> bytes:
        raise RequestReadTimeout

    def readinto(self, *_args: object) -> int:
        raise RequestReadTimeout


@pytest.fixture
def client(engine: Engine, redis_client: redis.Redis) -> FlaskClient:
    """The web app on the real ledger and Redis (whose counters ``/metrics`` shows)."""
    return create_app(Settings.from_env({}), engine=engine, broker=redis_client).test_client()


@pytest.fixture
def bearer(engine: Engine) -> dict[str, str]:
    """A staff API token's header (the API reads no body before it)."""
    return {"Authorization": f"Bearer {SqlStaffTokens(engine, utc_now).create('s', Role.STAFF)}"}


def _send_stalled(
    client: FlaskClient,
    method: str,
    path: str,
    content_type: str,
    headers: dict[str, str] | None = None,
) -> int:
    """Send a request whose body stalls; the status it is answered."""
    response = client.open(
        path,
        method=method,
        input_stream=_StalledBody(),
        content_type=content_type,
        headers=headers,
    )
    status: int = response.status_code
    return status


def test_a_webhook_delivery_cut_off_mid_body_is_logged_and_counted_as_a_read_timeout(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING"):
        assert _send_stalled(client, "POST", "/webhooks/signing", "application/json") == 408
    assert "webhook.rejected status=408 reason=read_timeout" in caplog.messages
    metrics = client.get("/metrics").text
    counted = 'outcome="rejected",reason="read_timeout",status="408"'
    assert f"vst_webhook_deliveries_total{{{counted}}} 1.0" in metrics


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("POST", f"/staff/login?next=/staff/{PRIVATE}", "application/x-www-form-urlencoded"),
        ("PUT", f"/api/courses/knoppi-2026-syksy?who={PRIVATE}", "application/json"),
    ],
    ids=["a staff page", "the staff API"],
)
def test_another_request_cut_off_mid_body_is_logged_by_its_reason_alone_and_not_counted(
    client: FlaskClient,
    bearer: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    method: str,
    path: str,
    content_type: str,
) -> None:
    with caplog.at_level("WARNING"):
        assert _send_stalled(client, method, path, content_type, bearer) == 408
    assert "request.rejected status=408 reason=read_timeout" in caplog.messages
    assert PRIVATE not in caplog.text
    assert "read_timeout" not in client.get("/metrics").text
