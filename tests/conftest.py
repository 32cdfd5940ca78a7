"""Shared fixtures: databases (SQLite and PostgreSQL), the real Redis, and a log guard.

The log guard records every log record emitted during the session and fails the run if
any of them contains something shaped like a henkilötunnus.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
import redis
import structlog
from hypothesis import settings
from sqlalchemy import Engine, text

from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.migrate import upgrade
from consent.config import PiiKey
from consent.hetu import carries_a_hetu, redact_hetus
from tests.processes import kill_leftovers

# Property tests judge what the code does, never how fast: Hypothesis's 200 ms deadline per
# example is a timed assertion, and on a slow day of the shared machine an example stalled
# for over a second (2026-11-25) with the code unchanged.
settings.register_profile("vst", deadline=None)
settings.load_profile("vst")

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
BACKENDS = ("sqlite", "postgresql")


class _RecordingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Look for a hetu, in any case, in the message, the exception text, every attribute
        of the record and the context bound for the request or job (all of it is logged)."""
        fields = {**vars(record), **structlog.contextvars.get_contextvars()}
        line = self.format(record) + " " + " ".join(f"{k}={v}" for k, v in fields.items())
        if carries_a_hetu(line):
            self.leaks.append(f"{record.name}: {redact_hetus(record.getMessage())[:80]}")


_LOG_GUARD = _RecordingHandler()


def pytest_sessionstart(session: pytest.Session) -> None:
    root = logging.getLogger()
    root.addHandler(_LOG_GUARD)
    root.setLevel(logging.DEBUG)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _LOG_GUARD.leaks:
        print("\nA log record carried a henkilötunnus:\n  " + "\n  ".join(_LOG_GUARD.leaks[:20]))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def no_worker_outlives_its_test() -> Iterator[None]:
    """What a test's SIGKILL left of a worker (an orphaned scheduler or horse) is killed."""
    yield
    kill_leftovers()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A database of its own on the real PostgreSQL server, dropped after the session."""
    name = f"vst_consent_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = POSTGRES_URL.rpartition("/")
    yield f"{base}/{name}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def empty_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """An engine on an empty database: a fresh SQLite file, or a wiped PostgreSQL schema."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'ledger.db'}")
    else:
        engine = make_engine(request.getfixturevalue("postgres_database"))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    yield engine
    engine.dispose()


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """An engine on a database migrated to the newest revision."""
    upgrade(empty_engine)
    return empty_engine


@pytest.fixture
def cipher() -> AesGcmCipher:
    """A cipher with a fresh random key."""
    return AesGcmCipher([PiiKey("test", os.urandom(32))])


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    """The real Redis server, on a database of its own, emptied before and after each test."""
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()
