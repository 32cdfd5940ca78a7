"""The durable floor: the least an endpoint must do to acknowledge a delivery it keeps.

Read the body, store it with one autocommitted ``INSERT`` over a connection kept for the
thread, push its row id onto a Redis list with one ``LPUSH``, answer 202: the same two
round trips the intake makes before its 202, without anything the intake checks or adds
(signature, strict JSON, schema, hetus, sealing, logging, counting). It serves
``DATABASE_URL`` (PostgreSQL over psycopg, or a SQLite file) and ``REDIS_URL``, into a
scratch table of its own, so ``benchmarks.intake`` can put it next to the intake.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import suppress
from typing import Any, Final

import psycopg
import redis
from flask import Flask, request
from flask.typing import ResponseReturnValue

TABLE: Final = "bench_floor_delivery"
LIST: Final = "bench:floor"
_local = threading.local()

app = Flask(__name__)


def _connect() -> Any:
    """A connection of this thread's own, opened on its first request (after the fork), with
    the scratch table made if it is not there yet."""
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite"):
        connection: Any = sqlite3.connect(url.partition(":///")[2], isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA busy_timeout=5000")
        serial = "INTEGER PRIMARY KEY AUTOINCREMENT"
        body_type = "BLOB"
    else:
        connection = psycopg.connect(url, autocommit=True)
        serial = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
        body_type = "BYTEA"
    # Another thread may make it at the same moment: its CREATE wins, ours fails.
    with suppress(psycopg.errors.UniqueViolation, sqlite3.OperationalError):
        connection.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id {serial}, body {body_type})")
    return connection


def _kept() -> tuple[Any, redis.Redis]:
    if not hasattr(_local, "connection"):
        _local.connection = _connect()
        _local.broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    return _local.connection, _local.broker


@app.post("/webhooks/signing")
def receive() -> ResponseReturnValue:
    """Store the body, queue its id, and accept it."""
    body = request.get_data()
    connection, broker = _kept()
    placeholder = "?" if isinstance(connection, sqlite3.Connection) else "%s"
    statement = f"INSERT INTO {TABLE} (body) VALUES ({placeholder}) RETURNING id"  # noqa: S608 - constant
    row_id = connection.execute(statement, (body,)).fetchone()[0]
    broker.lpush(LIST, row_id)
    return {"status": "accepted", "id": row_id}, 202
