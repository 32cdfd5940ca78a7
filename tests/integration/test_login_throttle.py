"""The login throttle on the real Redis: failures expire with their window, only failures
count, a broker outage never stops a login, and guesses sent at once for one name are
checked one at a time, so no more than the limit are ever verified (staff pages and
dashboard alike)."""

from __future__ import annotations

import base64
import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
import redis
from flask.testing import FlaskClient
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import Engine

from cli.dashboard import app as dashboard_app
from consent.adapters.login_throttle import ACCOUNT_FAILURES, Attempt, LoginThrottle, Throttled
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.config import Settings
from consent.staff import Role
from tests.conftest import REDIS_URL
from web.app import create_app

ATTEMPT = Attempt("pages", "aino.staff", "192.0.2.10")
PASSWORD = "pitkä-ja-hyvä-salasana"
GUESSES = 2 * ACCOUNT_FAILURES + 4  # sent at once, each from an address of its own
T = TypeVar("T")


def test_a_throttled_name_may_try_again_once_its_failures_leave_the_window(
    redis_client: redis.Redis,
) -> None:
    throttle = LoginThrottle(redis_client, "secret", account_failures=2, window_seconds=2)
    throttle.failed(ATTEMPT)
    assert throttle.retry_after(ATTEMPT) is None
    throttle.failed(ATTEMPT)
    wait = throttle.retry_after(ATTEMPT)
    assert wait is not None
    assert 1 <= wait <= 2
    deadline = time.monotonic() + 60  # returns as soon as the window has passed
    while throttle.retry_after(ATTEMPT) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert throttle.retry_after(ATTEMPT) is None


def test_the_address_limit_holds_for_every_name_from_that_address(
    redis_client: redis.Redis,
) -> None:
    throttle = LoginThrottle(redis_client, "secret", address_failures=3)
    for n in range(3):
        throttle.failed(Attempt("dashboard", f"arvaus-{n}", ATTEMPT.address))
    assert throttle.retry_after(Attempt("dashboard", "", ATTEMPT.address)) is not None
    assert throttle.retry_after(Attempt("dashboard", "", "192.0.2.11")) is None
    assert redis_client.hgetall("vst:counter:logins_throttled") == {
        b"scope=address,surface=dashboard": b"1"
    }


def test_a_broker_outage_lets_logins_through_and_unlock_says_it_failed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    unreachable = redis.Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), 0))
    throttle = LoginThrottle(unreachable, "secret")
    throttle.failed(ATTEMPT)
    assert throttle.retry_after(ATTEMPT) is None
    assert throttle.unlock(ATTEMPT.account) is False
    with caplog.at_level(logging.WARNING):
        assert throttle.login(ATTEMPT, lambda: "aino.staff") == "aino.staff"
        assert throttle.login(ATTEMPT, lambda: None) is None
    assert "login_throttle.unavailable error=ConnectionError" in caplog.messages


def test_concurrent_wrong_passwords_for_one_name_verify_no_more_than_the_limit(
    redis_client: redis.Redis,
) -> None:
    throttle = LoginThrottle(redis_client, "secret", account_failures=3)
    checked = Checked()
    outcomes = at_once(
        16, lambda n: throttle.login(Attempt("pages", "aino.staff", f"192.0.2.{n}"), checked)
    )
    assert checked.calls == 3
    assert outcomes.count(None) == 3  # the three checked, the others refused unchecked
    assert all(isinstance(o, Throttled) for o in outcomes if o is not None)


def test_only_one_password_of_a_name_is_checked_at_a_time_and_others_wait_their_turn(
    redis_client: redis.Redis,
) -> None:
    throttle = LoginThrottle(redis_client, "secret")
    checked = Checked(member="aino.staff")
    outcomes = at_once(4, lambda n: throttle.login(ATTEMPT, checked))
    assert outcomes == ["aino.staff"] * 4  # a colleague's second tab is not a 429
    assert checked.most_at_once == 1
    assert redis_client.keys("vst:login:verifying:*") == []  # released after each check


def test_an_attempt_kept_waiting_for_its_turn_is_refused_unverified_with_retry_after_1(
    redis_client: redis.Redis,
) -> None:
    throttle = LoginThrottle(redis_client, "secret", wait_seconds=0.2)
    verifying, done = threading.Event(), threading.Event()

    def slow() -> str:
        verifying.set()
        done.wait(timeout=60)  # held until the other attempt has been answered
        return "aino.staff"

    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(throttle.login, ATTEMPT, slow)
        assert verifying.wait(timeout=60)
        assert throttle.login(ATTEMPT, lambda: pytest.fail("verified")) == Throttled(1)
        done.set()
        assert first.result(timeout=60) == "aino.staff"
    assert redis_client.hgetall("vst:counter:logins_throttled") == {
        b"scope=account,surface=pages": b"1"
    }
    assert throttle.login(ATTEMPT, lambda: "aino.staff") == "aino.staff"  # its turn now


class Checked:
    """A password check that takes a while, answering ``member``, and counts how many ran
    and how many at once."""

    def __init__(self, member: str | None = None) -> None:
        self.member, self.calls, self.most_at_once = member, 0, 0
        self._running, self._lock = 0, threading.Lock()

    def __call__(self) -> str | None:
        with self._lock:
            self.calls += 1
            self._running += 1
            self.most_at_once = max(self.most_at_once, self._running)
        time.sleep(0.2)  # Argon2's time, long enough for every other thread to arrive
        with self._lock:
            self._running -= 1
        return self.member


def at_once(count: int, call: Callable[[int], T]) -> list[T]:
    """``call(n)`` for n in 0..count-1, started together in as many threads."""
    barrier = threading.Barrier(count)

    def together(n: int) -> T:
        barrier.wait(timeout=30)
        return call(n)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(together, range(count)))


def test_wrong_passwords_sent_at_once_to_the_login_page_get_no_more_than_the_limit_checked(
    engine: Engine, redis_client: redis.Redis
) -> None:
    SqlStaffAccounts(engine, utc_now).create("aino.staff", PASSWORD, Role.STAFF)
    settings = Settings.from_env({"REDIS_URL": REDIS_URL})
    web = create_app(settings, engine=engine, broker=redis_client)
    clients = [(web.test_client(), f"192.0.2.{n + 1}") for n in range(GUESSES)]
    forms = [login_form(client, address) for client, address in clients]

    def guess(n: int) -> int:
        client, address = clients[n]
        response = client.post("/staff/login", data=forms[n], environ_base={"REMOTE_ADDR": address})
        return response.status_code

    statuses = at_once(GUESSES, guess)
    assert 1 <= statuses.count(401) <= ACCOUNT_FAILURES  # each 401 is one Argon2 check
    assert statuses.count(401) + statuses.count(429) == GUESSES


def test_dashboard_requests_sent_at_once_pass_with_the_right_password_and_are_limited_without(
    engine: Engine, redis_client: redis.Redis
) -> None:
    SqlStaffAccounts(engine, utc_now).create("olli.operator", PASSWORD, Role.OPERATOR)
    database_url = engine.url.render_as_string(hide_password=False)
    settings = Settings.from_env({"DATABASE_URL": database_url, "REDIS_URL": REDIS_URL})
    dashboard = dashboard_app(settings)

    def get(password: str) -> Callable[[int], int]:
        credentials = base64.b64encode(f"olli.operator:{password}".encode()).decode()
        headers = {"Authorization": f"Basic {credentials}"}
        return lambda n: (
            dashboard.test_client()
            .get("/rq/", headers=headers, environ_base={"REMOTE_ADDR": f"192.0.2.{n + 1}"})
            .status_code
        )

    assert at_once(4, get(PASSWORD)) == [200] * 4  # a page's requests fetched together
    statuses = at_once(GUESSES, get("vaara-salasana-x"))
    assert 1 <= statuses.count(401) <= ACCOUNT_FAILURES
    assert statuses.count(401) + statuses.count(429) == GUESSES


def login_form(client: FlaskClient, address: str) -> dict[str, str]:
    """A wrong-password login form for aino.staff, with the CSRF token of ``client``'s
    session."""
    page = client.get("/staff/login", environ_base={"REMOTE_ADDR": address}).text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return {"csrf_token": found.group(1), "username": "aino.staff", "password": "väärä-123"}
