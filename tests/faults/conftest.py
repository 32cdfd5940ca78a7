"""Fixtures of the fault tests: a ledger on the machine's real PostgreSQL, the test Redis, the
KOSKI sandbox on loopback, and participants who consented and passed a course."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine, text

from consent import grading
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.queues import RqJobQueue
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.results import SqlResults
from consent.config import Settings
from tests.courses import course
from tests.e2e.stack import configure, post_signed
from tests.koski_server import PASSWORD, USER, RunningSandbox, running_sandbox
from tests.signing import event, person
from web.app import create_app


@pytest.fixture
def postgres_ledger(postgres_database: str) -> str:
    """The URL of the session's PostgreSQL test database, emptied (migrations not yet run)."""
    engine = make_engine(postgres_database)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return postgres_database


@dataclass(frozen=True)
class KoskiStack:
    """What a fault test drives: the sandbox, the ledger, and the environment a worker reads."""

    koski: RunningSandbox
    engine: Engine
    redis: redis.Redis

    def count(self, sql: str) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(text(sql)).scalar_one())

    def consented_and_passed(self, people: int) -> list[dict[str, str]]:
        """``people`` adults post their signed consent and pass a course; results imported.
        Returns them, to sign again."""
        members = [
            person(dt.date(1970, 1, 1) + dt.timedelta(days=i), f"Testi{i}", "Henkilö")
            for i in range(people)
        ]
        self.sign(members)
        store = SqlResults(self.engine, AesGcmCipher(Settings.from_env().pii_keys), utc_now)
        the_course = course(end_date="2026-11-20")
        SqlCourses(self.engine, utc_now).save_course(the_course, "test")
        rows = [
            {"hetu": m["hetu"], "grade": "hyväksytty", "graded_on": "2026-11-19"} for m in members
        ]
        grading.import_results(
            the_course, rows, store, RqJobQueue(self.redis), today=dt.date.today(), actor="test"
        )
        return members

    @staticmethod
    def sign(members: list[dict[str, str]], round_: int = 0) -> None:
        """Each member posts their signed consent (again, in a later round)."""
        client = create_app().test_client()
        for i, member in enumerate(members):
            assert post_signed(client, event(member, member), f"msg_{round_}_{i}") == 202


@pytest.fixture
def koski_stack(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    redis_client: redis.Redis,
    postgres_ledger: str,
) -> Iterator[KoskiStack]:
    """Web and worker configured for PostgreSQL, Redis and a KOSKI sandbox of the test's own
    (through the environment, which a worker started later inherits)."""
    with running_sandbox(tmp_path / "koski.db") as koski:
        engine = configure(
            monkeypatch,
            tmp_path,
            postgres_ledger,
            KOSKI_URL=koski.url,
            KOSKI_USERNAME=USER,
            KOSKI_PASSWORD=PASSWORD,
        )
        yield KoskiStack(koski, engine, redis_client)
        engine.dispose()
