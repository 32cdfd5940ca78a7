"""Login throttling: failed logins counted per account name and per client address in Redis,
so every web worker and the dashboard share the counts.

The counting is the ``limits`` library's moving window (the storage Flask-Limiter uses), on
the broker's Redis. Only failures count; a throttled attempt is refused before its password
is verified, so it costs no Argon2 time, and its answer is the same whether the name exists.
Keys carry a keyed hash (BLAKE2b under the web secret) of the name or address, never either
in clear.

Checking the window before the ~100 ms verification and counting a failure after it let
every guess that arrived during a verification through: guesses sent at once for one name
were all verified. So :meth:`LoginThrottle.login` checks one password per name at a time:
it holds a Redis lock (redis-py's, an atomic ``SET NX`` with an expiry, released by a script
that deletes only its own token) keyed by the name's hash around check, verify and count.
Another attempt for that name waits its turn (a page's requests sent together with the same
Basic credentials, a double-clicked form) for up to ``WAIT_SECONDS``, else is answered
429 with ``Retry-After: 1`` unverified. So at most the limit's failures are ever verified
per name and window, as long as one verification takes less than ``VERIFYING_SECONDS``.

Not chosen: reserving a slot with ``hit`` before verifying (atomic in ``limits``), because
the moving window cannot give a slot back, so every success would count as a failure.

An address is not locked: an office behind one NAT address logs in at once. Its limit can
be overshot by the verifications already running from that address when its count reaches
the limit, so at most ``address_failures`` + (threads verifying at once - 1) per window: the
web's 64 threads and the dashboard's 4 make that 50 + 67; each name within it still gets no
more than its own limit.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final, Literal, TypeVar

import redis
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import LockError, RedisError
from redis.lock import Lock

from consent.adapters.counters import RedisCounters

# A person who forgot their password tries a handful; a guesser needs thousands. Ten per
# account per 15 minutes stops guessing one account; fifty per address stops one client
# trying many names, while an office behind one NAT address still logs in.
ACCOUNT_FAILURES: Final = 10
ADDRESS_FAILURES: Final = 50
WINDOW_SECONDS: Final = 15 * 60
KEY_PREFIX: Final = "vst:login"
# One name's password is checked at a time. Argon2 takes ~100 ms, more on a busy machine:
# a lock outlives any verification by far, yet frees a name soon if its process died; a
# waiting attempt is served within a few turns, or refused rather than hold a thread long.
VERIFYING_SECONDS: Final = 10
WAIT_SECONDS: Final = 5
_POLL_SECONDS: Final = 0.02

Surface = Literal["pages", "dashboard"]
Scope = Literal["account", "address"]

log = logging.getLogger("vst.login_throttle")
Member = TypeVar("Member")


@dataclass(frozen=True)
class Attempt:
    """One login attempt: where it came in, the name typed (empty for a token) and the
    client's address."""

    surface: Surface
    account: str
    address: str


@dataclass(frozen=True)
class Throttled:
    """A login refused unverified: try again after ``retry_after`` seconds."""

    retry_after: int


class LoginThrottle:
    """Refuses logins after too many failures, and counts the refusals."""

    def __init__(
        self,
        broker: redis.Redis,
        secret: str,
        *,
        account_failures: int = ACCOUNT_FAILURES,
        address_failures: int = ADDRESS_FAILURES,
        window_seconds: int = WINDOW_SECONDS,
        wait_seconds: float = WAIT_SECONDS,
    ) -> None:
        storage = RedisStorage(
            "redis://",  # the pool below says where
            connection_pool=broker.connection_pool,
            key_prefix=KEY_PREFIX,
            wrap_exceptions=True,
        )
        self._limiter = MovingWindowRateLimiter(storage)
        self._limits: dict[Scope, RateLimitItem] = {
            "account": RateLimitItemPerSecond(account_failures, window_seconds),
            "address": RateLimitItemPerSecond(address_failures, window_seconds),
        }
        self._secret = hashlib.sha256(secret.encode()).digest()
        self._counters = RedisCounters(broker)
        self._broker = broker
        self._wait_seconds = wait_seconds

    def login(
        self, attempt: Attempt, verify: Callable[[], Member | None]
    ) -> Member | Throttled | None:
        """``verify()``'s member, None if it failed (and the failure counted), or Throttled
        without calling it. One call per name at a time, so every check sees every failure
        before it: no more than the limit are verified however many arrive at once."""
        with self._turn(attempt) as turn:
            if not turn:
                self._counters.count("logins_throttled", surface=attempt.surface, scope="account")
                return Throttled(1)
            wait = self.retry_after(attempt)
            if wait is not None:
                return Throttled(wait)
            member = verify()
            if member is None:
                self.failed(attempt)
            return member

    def retry_after(self, attempt: Attempt) -> int | None:
        """Seconds until ``attempt`` may be tried (and the refusal counted), or None if it
        may be tried now. A broker outage lets it be tried: Argon2 still slows guessing."""
        for scope, key in self._keys(attempt):
            try:
                stats = self._limiter.get_window_stats(self._limits[scope], scope, key)
            except StorageError as error:
                _unavailable(error)
                return None
            if stats.remaining <= 0:
                self._counters.count("logins_throttled", surface=attempt.surface, scope=scope)
                return max(1, math.ceil(stats.reset_time - time.time()))
        return None

    def failed(self, attempt: Attempt) -> None:
        """Count a failed login against its account name and its address."""
        for scope, key in self._keys(attempt):
            try:
                self._limiter.hit(self._limits[scope], scope, key)
            except StorageError as error:
                _unavailable(error)

    def unlock(self, account: str) -> bool:
        """Forget an account name's failures, so it may log in again at once; False if the
        broker could not be reached."""
        try:
            self._limiter.clear(self._limits["account"], "account", self._digest(account))
        except StorageError:
            return False
        return True

    @contextmanager
    def _turn(self, attempt: Attempt) -> Iterator[bool]:
        """Hold the name's lock, waiting up to ``wait_seconds``: True once held, False if
        another attempt kept it. No name (a token) or no broker: True, unlocked."""
        if not attempt.account:
            yield True
            return
        lock = self._broker.lock(
            f"{KEY_PREFIX}:verifying:{self._digest(attempt.account)}",
            timeout=VERIFYING_SECONDS,
            sleep=_POLL_SECONDS,
            blocking_timeout=self._wait_seconds,
        )
        try:
            held = lock.acquire()
        except RedisError as error:
            log.warning("login_throttle.unavailable error=%s", type(error).__name__)
            yield True
            return
        try:
            yield held
        finally:
            if held:
                _release(lock)

    def _keys(self, attempt: Attempt) -> list[tuple[Scope, str]]:
        keys: list[tuple[Scope, str]] = [("address", self._digest(attempt.address))]
        if attempt.account:
            keys.insert(0, ("account", self._digest(attempt.account)))
        return keys

    def _digest(self, value: str) -> str:
        """A keyed hash: the stored key names no one, and cannot be guessed from a name list."""
        encoded = value.encode(errors="surrogatepass")
        return hashlib.blake2b(encoded, key=self._secret, digest_size=16).hexdigest()


def _release(lock: Lock) -> None:
    """Let the name's next attempt in; a lock that expired first, or a broker gone, is only
    logged: the expiry frees the name anyway."""
    try:
        lock.release()
    except (LockError, RedisError) as error:
        log.warning("login_throttle.release_failed error=%s", type(error).__name__)


def _unavailable(error: StorageError) -> None:
    """Log that the broker could not count or check a login (it goes through unthrottled)."""
    log.warning("login_throttle.unavailable error=%s", type(error.storage_error).__name__)
