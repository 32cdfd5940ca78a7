"""Login throttling: failed logins counted per account name and per client address in Redis,
so every web worker and the dashboard share the counts.

The counting is the ``limits`` library's moving window (the storage Flask-Limiter uses), on
the broker's Redis. Only failures count; a throttled attempt is refused before its password
is verified, so it costs no Argon2 time, and its answer is the same whether the name exists.
Keys carry a keyed hash (BLAKE2b under the web secret) of the name or address, never either
in clear.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Final, Literal

import redis
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from consent.adapters.counters import RedisCounters

# A person who forgot their password tries a handful; a guesser needs thousands. Ten per
# account per 15 minutes stops guessing one account; fifty per address stops one client
# trying many names, while an office behind one NAT address still logs in.
ACCOUNT_FAILURES: Final = 10
ADDRESS_FAILURES: Final = 50
WINDOW_SECONDS: Final = 15 * 60
KEY_PREFIX: Final = "vst:login"

Surface = Literal["pages", "dashboard"]
Scope = Literal["account", "address"]

log = logging.getLogger("vst.login_throttle")


@dataclass(frozen=True)
class Attempt:
    """One login attempt: where it came in, the name typed (empty for a token) and the
    client's address."""

    surface: Surface
    account: str
    address: str


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

    def retry_after(self, attempt: Attempt) -> int | None:
        """Seconds until ``attempt`` may be tried (and the refusal counted), or None if it
        may be tried now. A broker outage lets it be tried: Argon2 still slows guessing."""
        for scope, key in self._keys(attempt):
            try:
                stats = self._limiter.get_window_stats(self._limits[scope], scope, key)
            except StorageError as error:
                log.warning(
                    "login_throttle.unavailable error=%s", type(error.storage_error).__name__
                )
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
                log.warning(
                    "login_throttle.unavailable error=%s", type(error.storage_error).__name__
                )

    def unlock(self, account: str) -> bool:
        """Forget an account name's failures, so it may log in again at once; False if the
        broker could not be reached."""
        try:
            self._limiter.clear(self._limits["account"], "account", self._digest(account))
        except StorageError:
            return False
        return True

    def _keys(self, attempt: Attempt) -> list[tuple[Scope, str]]:
        keys: list[tuple[Scope, str]] = [("address", self._digest(attempt.address))]
        if attempt.account:
            keys.insert(0, ("account", self._digest(attempt.account)))
        return keys

    def _digest(self, value: str) -> str:
        """A keyed hash: the stored key names no one, and cannot be guessed from a name list."""
        encoded = value.encode(errors="surrogatepass")
        return hashlib.blake2b(encoded, key=self._secret, digest_size=16).hexdigest()
