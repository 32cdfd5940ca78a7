"""Event counters and duration histograms kept in Redis, so every process (gunicorn workers,
forked job horses) adds to the same totals and ``/metrics`` can read them. Labels are codes,
never personal data."""

from __future__ import annotations

import bisect
import functools
import logging
import math
from dataclasses import dataclass
from typing import Final

import redis
from redis.client import Pipeline

from consent.ports import Counting

KEY_PREFIX: Final = "vst:counter:"
HISTOGRAM_PREFIX: Final = "vst:histogram:"
# Upper bounds in seconds: a binding takes milliseconds, a KOSKI call up to its 35 s timeouts.
BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)

Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Histogram:
    """One label combination's observations: cumulative count per upper bound, and the sum."""

    buckets: tuple[tuple[float, int], ...]  # (upper bound, observations ≤ it), +Inf last
    total: float


log = logging.getLogger("vst.metrics")


class RedisCounters:
    """Counts events by name and labels (``HINCRBY vst:counter:<name> <labels> 1``)."""

    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection

    def count(self, name: str, **labels: str) -> None:
        """Add one; a broker outage loses the count, never the request."""
        self.count_by(name, 1, **labels)

    def count_by(self, name: str, amount: int, **labels: str) -> None:
        """Add ``amount`` (a run's tally of one outcome) at once; an outage loses it."""
        try:
            add(self._redis, Counting(name, tuple(labels.items())), amount)
        except redis.RedisError as error:
            log.warning("metrics.count_failed name=%s error=%s", name, type(error).__name__)

    def observe(self, name: str, seconds: float, **labels: str) -> None:
        """Record one duration: its bucket (the first bound it fits under) and the running sum."""
        field = _field(labels)
        bucket = bisect.bisect_left(BUCKETS, seconds)  # len(BUCKETS) stands for +Inf
        try:
            with self._redis.pipeline(transaction=False) as pipe:
                pipe.hincrby(HISTOGRAM_PREFIX + name, f"{field}|{bucket}", 1)
                pipe.hincrbyfloat(HISTOGRAM_PREFIX + name, f"{field}|sum", seconds)
                pipe.execute()
        except redis.RedisError as error:
            log.warning("metrics.observe_failed name=%s error=%s", name, type(error).__name__)

    def totals(self, name: str) -> dict[Labels, int]:
        """Every label combination counted under ``name``, with its total."""
        raw: dict[bytes, bytes] = self._redis.hgetall(KEY_PREFIX + name)  # type: ignore[assignment]  # no decode_responses
        return {_labels(field.decode()): int(value) for field, value in raw.items()}

    def histograms(self, name: str) -> dict[Labels, Histogram]:
        """Every label combination observed under ``name``, with cumulative bucket counts."""
        raw: dict[bytes, bytes] = self._redis.hgetall(HISTOGRAM_PREFIX + name)  # type: ignore[assignment]  # no decode_responses
        counts: dict[str, list[int]] = {}
        sums: dict[str, float] = {}
        for key, value in raw.items():
            field, _, part = key.decode().rpartition("|")
            if part == "sum":
                sums[field] = float(value)
            elif part.isdigit() and int(part) <= len(BUCKETS):
                counts.setdefault(field, [0] * (len(BUCKETS) + 1))[int(part)] = int(value)
        return {
            _labels(field): Histogram(_cumulative(per_bucket), sums.get(field, 0.0))
            for field, per_bucket in counts.items()
        }


def add(connection: redis.Redis | Pipeline, counting: Counting, amount: int = 1) -> None:
    """``HINCRBY`` one event's counter, on a connection or within a caller's pipeline."""
    _, key, field, _ = command(counting)
    connection.hincrby(key, field, amount)


def command(counting: Counting, amount: int = 1) -> tuple[str, str, str, int]:
    """The ``HINCRBY`` that adds ``amount`` to one event's counter, as its words (for a
    script that counts only when it does what it counts)."""
    return "HINCRBY", KEY_PREFIX + counting.name, _labels_field(counting.labels), amount


@functools.lru_cache(maxsize=1024)
def _labels_field(labels: tuple[tuple[str, str], ...]) -> str:
    """A counter's hash field for ``labels``, made once for each set of them (the intake
    counts with the same labels on every request; labels are codes, a bounded set)."""
    return _field(dict(labels))


def _cumulative(per_bucket: list[int]) -> tuple[tuple[float, int], ...]:
    running, bounds = 0, (*BUCKETS, math.inf)
    cumulative = []
    for bound, count in zip(bounds, per_bucket, strict=True):
        running += count
        cumulative.append((bound, running))
    return tuple(cumulative)


def _field(labels: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def _labels(field: str) -> Labels:
    return tuple(_pair(p) for p in field.split(",") if "=" in p)


def _pair(text: str) -> tuple[str, str]:
    key, _, value = text.partition("=")
    return key, value
