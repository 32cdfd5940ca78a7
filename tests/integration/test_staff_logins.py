"""Staff logins under attack: failed logins throttled per account and per client address
(429 with Retry-After, the same for known and unknown names, counted in /metrics), sessions
that end at logout and at a password change, and hostile login names that fail like any other."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import Engine

from consent.adapters.login_throttle import ACCOUNT_FAILURES, ADDRESS_FAILURES
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.config import Settings
from consent.staff import Role
from tests.conftest import REDIS_URL
from web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
NAME = "aino.staff"
GOOD_PASSWORD = "pitkä-ja-hyvä-salasana"


@pytest.fixture
def accounts(engine: Engine) -> SqlStaffAccounts:
    """The ledger's staff accounts, with one account in it."""
    accounts = SqlStaffAccounts(engine, utc_now)
    accounts.create(NAME, GOOD_PASSWORD, Role.STAFF)
    return accounts


@pytest.fixture
def client(engine: Engine, accounts: SqlStaffAccounts, redis_client: redis.Redis) -> FlaskClient:
    """The web app on the real ledger and Redis."""
    settings = Settings.from_env({"REDIS_URL": REDIS_URL})
    return create_app(settings, engine=engine, broker=redis_client).test_client()


def csrf(client: FlaskClient, path: str = "/staff/login") -> str:
    """The CSRF token a page's forms carry."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


def try_login(client: FlaskClient, name: str, password: str) -> tuple[int, str, str]:
    """One login attempt: its status, Retry-After header and page text."""
    data = {"csrf_token": csrf(client), "username": name, "password": password}
    response = client.post("/staff/login", data=data)
    return response.status_code, response.headers.get("Retry-After", ""), response.text


def fail_until_throttled(client: FlaskClient, name: str) -> None:
    for _ in range(ACCOUNT_FAILURES):
        assert try_login(client, name, "väärä-salasana-123")[0] == 401


def test_wrong_passwords_for_an_account_are_answered_429_with_retry_after(
    client: FlaskClient,
) -> None:
    fail_until_throttled(client, NAME)
    status, retry_after, page = try_login(client, NAME, "väärä-salasana-123")
    assert status == 429
    assert 0 < int(retry_after) <= 15 * 60
    assert "Liian monta" in page


def test_an_unknown_name_is_throttled_with_the_same_answer_as_a_known_one(
    client: FlaskClient,
) -> None:
    fail_until_throttled(client, NAME)
    fail_until_throttled(client, "ei.ketaan")
    known = try_login(client, NAME, "väärä-salasana-123")
    unknown = try_login(client, "ei.ketaan", "väärä-salasana-123")
    assert (known[0], unknown[0]) == (429, 429)
    assert known[2].replace(NAME, "") == unknown[2].replace("ei.ketaan", "")


def test_a_throttled_account_is_refused_even_with_the_right_password(client: FlaskClient) -> None:
    fail_until_throttled(client, NAME)
    assert try_login(client, NAME, GOOD_PASSWORD)[0] == 429


def test_an_unlocked_account_logs_in_with_the_right_password_again(
    client: FlaskClient, redis_client: redis.Redis
) -> None:
    fail_until_throttled(client, NAME)
    keys = b" ".join(redis_client.keys("*"))  # type: ignore[arg-type]  # bytes without decode_responses
    assert NAME.encode() not in keys
    assert b"127.0.0.1" not in keys
    unlock = subprocess.run(
        [sys.executable, "-m", "cli.main", "staff", "account-unlock", NAME],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "REDIS_URL": REDIS_URL},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert unlock.returncode == 0, unlock.stderr
    status, _, _ = try_login(client, NAME, GOOD_PASSWORD)
    assert status == 302


def test_behind_a_trusted_proxy_each_forwarded_address_is_throttled_on_its_own(
    engine: Engine, accounts: SqlStaffAccounts, redis_client: redis.Redis
) -> None:
    settings = Settings.from_env({"REDIS_URL": REDIS_URL, "WEB_TRUSTED_PROXIES": "1"})
    client = create_app(settings, engine=engine, broker=redis_client).test_client()
    attacker, colleague = {"X-Forwarded-For": "203.0.113.7"}, {"X-Forwarded-For": "198.51.100.2"}
    for n in range(ADDRESS_FAILURES):
        data = {"csrf_token": csrf(client), "username": f"arvaus-{n}", "password": "x" * 12}
        assert client.post("/staff/login", data=data, headers=attacker).status_code == 401
    data = {"csrf_token": csrf(client), "username": NAME, "password": GOOD_PASSWORD}
    assert client.post("/staff/login", data=data, headers=attacker).status_code == 429
    assert client.post("/staff/login", data=data, headers=colleague).status_code == 302
    counted = redis_client.hgetall("vst:counter:logins_throttled")
    assert counted == {b"scope=address,surface=pages": b"1"}


def test_throttled_logins_are_counted_in_metrics(client: FlaskClient) -> None:
    fail_until_throttled(client, NAME)
    try_login(client, NAME, GOOD_PASSWORD)
    metrics = client.get("/metrics").text
    assert 'vst_logins_throttled_total{scope="account",surface="pages"} 1.0' in metrics
    assert NAME not in metrics


def test_a_logged_out_session_cookie_replayed_is_sent_to_the_login_page(
    client: FlaskClient,
) -> None:
    assert try_login(client, NAME, GOOD_PASSWORD)[0] == 302
    cookie = client.get_cookie("vst_staff")
    assert cookie is not None
    client.post("/staff/logout", data={"csrf_token": csrf(client, "/staff/courses")})
    client.set_cookie("vst_staff", cookie.value)
    response = client.get("/staff/courses")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


def test_a_password_change_ends_every_session_of_the_account(
    client: FlaskClient, accounts: SqlStaffAccounts
) -> None:
    assert try_login(client, NAME, GOOD_PASSWORD)[0] == 302
    assert client.get("/staff/courses").status_code == 200
    assert accounts.set_password(NAME, "uusi-pitkä-salasana")
    response = client.get("/staff/courses")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")
    assert try_login(client, NAME, "uusi-pitkä-salasana")[0] == 302
    assert client.get("/staff/courses").status_code == 200


def test_a_nul_byte_in_a_login_name_is_a_failed_login_never_a_500(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        status, _, _ = try_login(client, "aino\x00staff", GOOD_PASSWORD)
    assert status == 401
    assert not [r for r in caplog.records if r.exc_info or "\x00" in r.getMessage()]
