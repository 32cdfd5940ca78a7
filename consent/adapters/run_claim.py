"""A claim in Redis that lets only one run of a periodic job be under way at a time.

The claim names its holder (a job id) and expires, so a worker killed mid-run, or a Redis
restarted empty, only delays the next run: what is due is read from the ledger, never from
the claim. Only the holder renews, shortens or releases it.
"""

from __future__ import annotations

from typing import Final

import redis

# Renew or shorten the claim only while ``holder`` holds it: 1 if done, 0 if another holds it.
_IF_HELD: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if ARGV[2] == '0' then return redis.call('DEL', KEYS[1]) end
  return redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) and 1
end
return 0
"""


RECONCILE_CLAIM: Final = "vst:reconcile:claim"  # the key of the reconciliation run's claim
RETENTION_CLAIM: Final = "vst:retention:claim"  # the key of the daily retention purge's claim
ATTENTION_MAIL_CLAIM: Final = "vst:attention-mail:claim:"  # and the ISO week: 2026-W49


class RedisRunClaim:
    """One expiring claim under ``key``, held by one job id at a time."""

    def __init__(self, connection: redis.Redis, key: str) -> None:
        self._redis = connection
        self._key = key

    def take(self, holder: str, seconds: int) -> bool:
        """Claim it for ``holder`` for ``seconds`` if no one holds it; True if taken."""
        return bool(self._redis.set(self._key, holder, nx=True, ex=seconds))

    def hold(self, holder: str, seconds: int) -> bool:
        """Hold it for ``seconds`` more: taken if free, renewed if ``holder`` holds it; False
        while another holds it."""
        return self.take(holder, seconds) or self._if_held(holder, seconds)

    def keep(self, holder: str, seconds: int) -> None:
        """Let ``holder``'s claim run out ``seconds`` from now (a rest before the next run)."""
        self._if_held(holder, seconds)

    def release(self, holder: str) -> None:
        """End ``holder``'s claim now, so the next run may start."""
        self._if_held(holder, 0)

    def _if_held(self, holder: str, seconds: int) -> bool:
        done = self._redis.eval(_IF_HELD, 1, self._key, holder, str(seconds))
        return bool(done)
