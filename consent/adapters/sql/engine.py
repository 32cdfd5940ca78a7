"""Engine construction: one place that knows each backend's quirks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url``; connects lazily, so it is safe before a fork.

    ``postgresql://`` URLs use psycopg 3. SQLite gets foreign keys, WAL (web and worker
    processes share the file) and a busy timeout instead of immediate "database is locked".
    A PostgreSQL pool tests each connection before lending it out unless ``pool_pre_ping``
    says otherwise.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, **{"pool_pre_ping": True, **kwargs})


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
