"""The job dashboard's Basic login under attack: wrong passwords throttled (429 with
Retry-After, even for the right one then), and a hostile username a plain 401."""

from __future__ import annotations

import base64
import logging

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import Engine

from cli.dashboard import app
from consent.adapters.login_throttle import ACCOUNT_FAILURES
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.config import Settings
from consent.staff import Role
from tests.conftest import REDIS_URL

NAME = "olli.operator"
PASSWORD = "operaattorin-salasana"


@pytest.fixture
def dashboard(engine: Engine, redis_client: redis.Redis) -> FlaskClient:
    """The dashboard on the real ledger (SQLite or PostgreSQL) and Redis, with one operator."""
    SqlStaffAccounts(engine, utc_now).create(NAME, PASSWORD, Role.OPERATOR)
    database_url = engine.url.render_as_string(hide_password=False)
    settings = Settings.from_env({"DATABASE_URL": database_url, "REDIS_URL": REDIS_URL})
    return app(settings).test_client()


def basic(name: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


def test_wrong_basic_passwords_are_throttled_even_for_the_right_one_then(
    dashboard: FlaskClient,
) -> None:
    assert dashboard.get("/rq/", headers=basic(NAME, PASSWORD)).status_code == 200
    for _ in range(ACCOUNT_FAILURES):
        assert dashboard.get("/rq/", headers=basic(NAME, "vaara-salasana-x")).status_code == 401
    refused = dashboard.get("/rq/", headers=basic(NAME, PASSWORD))
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert refused.mimetype == "text/plain"
    unknown = dashboard.get("/rq/", headers=basic("ei.ketaan", "vaara-salasana-x"))
    assert unknown.status_code == 401  # another name is not throttled by this one's failures


def test_throttled_dashboard_logins_are_counted_by_surface_and_scope(
    dashboard: FlaskClient, redis_client: redis.Redis
) -> None:
    for _ in range(ACCOUNT_FAILURES + 1):
        dashboard.get("/rq/", headers=basic(NAME, "vaara-salasana-x"))
    counted = redis_client.hgetall("vst:counter:logins_throttled")
    assert counted == {b"scope=account,surface=dashboard": b"1"}


def test_a_nul_byte_in_a_basic_username_is_a_401_and_logs_no_traceback(
    dashboard: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = dashboard.get("/rq/", headers=basic("olli\x00operator", PASSWORD))
    assert response.status_code == 401
    assert not [r for r in caplog.records if r.exc_info or "\x00" in r.getMessage()]
