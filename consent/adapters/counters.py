"""Event counters kept in Redis, so every process (gunicorn workers, forked job horses)
adds to the same totals and ``/metrics`` can read them. Labels are codes, never personal data."""

from __future__ import annotations

import logging
from typing import Final

import redis

KEY_PREFIX: Final = "vst:counter:"
log = logging.getLogger("vst.metrics")


class RedisCounters:
    """Counts events by name and labels (``HINCRBY vst:counter:<name> <labels> 1``)."""

    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection

    def count(self, name: str, **labels: str) -> None:
        """Add one; a broker outage loses the count, never the request."""
        field = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        try:
            self._redis.hincrby(KEY_PREFIX + name, field, 1)
        except redis.RedisError as error:
            log.warning("metrics.count_failed name=%s error=%s", name, type(error).__name__)

    def totals(self, name: str) -> dict[tuple[tuple[str, str], ...], int]:
        """Every label combination counted under ``name``, with its total."""
        raw: dict[bytes, bytes] = self._redis.hgetall(KEY_PREFIX + name)  # type: ignore[assignment]  # no decode_responses
        totals = {}
        for field, value in raw.items():
            pairs = tuple(_pair(p) for p in field.decode().split(",") if "=" in p)
            totals[pairs] = int(value)
        return totals


def _pair(text: str) -> tuple[str, str]:
    key, _, value = text.partition("=")
    return key, value
