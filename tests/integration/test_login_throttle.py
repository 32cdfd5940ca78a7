"""The login throttle on the real Redis: failures expire with their window, only failures
count, and a broker outage never stops a login."""

from __future__ import annotations

import time

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from consent.adapters.login_throttle import Attempt, LoginThrottle

ATTEMPT = Attempt("pages", "aino.staff", "192.0.2.10")


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


def test_a_broker_outage_lets_logins_through_and_unlock_says_it_failed() -> None:
    unreachable = redis.Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), 0))
    throttle = LoginThrottle(unreachable, "secret")
    throttle.failed(ATTEMPT)
    assert throttle.retry_after(ATTEMPT) is None
    assert throttle.unlock(ATTEMPT.account) is False
