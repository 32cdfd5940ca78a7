"""Everything a Redis holds, as text, so a test can look for personal data in it."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from contextlib import suppress
from typing import cast

import redis


def _values(client: redis.Redis, key: bytes) -> list[object]:
    kind = client.type(key)
    values: object
    if kind == b"string":
        values = [client.get(key)]
    elif kind == b"hash":
        values = [part for pair in dict(client.hgetall(key)).items() for part in pair]
    elif kind == b"list":
        values = client.lrange(key, 0, -1)
    elif kind == b"set":
        values = client.smembers(key)
    elif kind == b"zset":
        values = client.zrange(key, 0, -1)
    elif kind == b"stream":
        values = [str(entry) for entry in client.xrange(key)]  # type: ignore[union-attr]  # sync client
    else:
        values = []
    return list(cast(Iterable[object], values))


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, bytes):
        yield value.decode(errors="replace")
        with suppress(zlib.error):  # RQ stores job data zlib-compressed
            yield zlib.decompress(value).decode(errors="replace")
    elif value is not None:
        yield str(value)


def everything(client: redis.Redis) -> str:
    """Every key and every value in the selected database, compressed job data unpacked."""
    lines = []
    for key in client.scan_iter(count=500):
        lines.append(key.decode(errors="replace"))
        for value in _values(client, key):
            lines.extend(_texts(value))
    return "\n".join(lines)
