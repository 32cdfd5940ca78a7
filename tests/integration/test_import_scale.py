"""An import costs statements by the thousand rows, not by the row (SQLite, PostgreSQL): a
file's people and their results on the course are looked up a thousand at a time and its new
results inserted together, so a course of 2,500 imports in the statements of three of 10,
and a row's cost does not hang on the planner's statistics of a table just filling."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, text

from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.results import SqlResults
from consent.hetu import Hetu
from consent.results import ImportedResult, ResultStatus
from tests.courses import course
from tests.hetus import make_hetu
from tests.integration.test_status import counted_statements

NOW = dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC)
SMALL, LARGE = 10, 2500  # one chunk, and three


def _file(size: int, first: int, grade: str = "hyväksytty") -> list[ImportedResult]:
    """A results file of ``size`` people, every other one without names (as many files are)."""
    hetus = [
        make_hetu(dt.date(1960, 1, 1) + dt.timedelta(days=first + n), 300) for n in range(size)
    ]
    return [
        ImportedResult(
            n,
            Hetu(hetu),
            "Etu" if n % 2 else None,
            "Suku" if n % 2 else None,
            grade,
            NOW.date(),
            ResultStatus.COMPLETED,
            {},
        )
        for n, hetu in enumerate(hetus, start=1)
    ]


def _import(
    engine: Engine, cipher: AesGcmCipher, code: str, rows: list[ImportedResult]
) -> tuple[int, int, int]:
    """Import ``rows`` into course ``code``: the statements it ran, what changed, what not."""
    results = SqlResults(engine, cipher, lambda: NOW)
    with counted_statements(engine) as statements:
        changed, unchanged = results.store_results(code, rows, "test")
    if engine.dialect.name == "sqlite":
        # SQLAlchemy inserts new ORM rows one by one on SQLite, where a statement is a call
        # into the library, not a round trip; PostgreSQL gets them a thousand to a statement.
        statements = [sql for sql in statements if not sql.startswith("INSERT INTO results")]
    return len(statements), len(changed), unchanged


def test_an_import_runs_statements_by_the_thousand_rows_not_by_the_row(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    for code in ("PIENI", "SUURI"):
        SqlCourses(engine, lambda: NOW).save_course(course(code=code), "test")
    # First the people are new; then they are known, and half the results change.
    small, large = _file(SMALL, 0), _file(LARGE, 100)
    new_small = _import(engine, cipher, "PIENI", small)
    new_large = _import(engine, cipher, "SUURI", large)
    assert new_small[1:] == (SMALL, 0)
    assert new_large[1:] == (LARGE, 0)
    assert new_large[0] <= 3 * new_small[0] < LARGE // 10
    again_small = _import(engine, cipher, "PIENI", small[::2] + _file(SMALL, 0, "2")[1::2])
    again_large = _import(engine, cipher, "SUURI", large[::2] + _file(LARGE, 100, "2")[1::2])
    assert again_small[1:] == (SMALL // 2, SMALL // 2)
    assert again_large[1:] == (LARGE // 2, LARGE // 2)
    assert again_large[0] <= 3 * again_small[0] < LARGE // 10
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT count(*), count(DISTINCT participant_id) FROM results")
        ).one()
        people = connection.execute(text("SELECT count(*) FROM participants")).scalar_one()
    assert tuple(stored) == (SMALL + LARGE, SMALL + LARGE)
    assert people == SMALL + LARGE  # known people found again, not created twice
