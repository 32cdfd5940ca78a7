"""A result row's own end date (``ended_on``): read from CSV and JSON, checked against the
course, and part of what makes a row changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest

from consent.import_files import ImportRejected, RowError, read_rows
from consent.results import check_rows, result_columns
from tests.courses import course
from tests.hetus import make_hetu

TODAY = dt.date(2026, 12, 20)
HETU = make_hetu(dt.date(1990, 5, 5))
ROW = {"hetu": HETU, "grade": "hyväksytty", "graded_on": "2026-12-10"}


def checked_end(row: dict[str, Any]) -> dt.date | None:
    [result] = check_rows([row], course(), TODAY)
    return result.ended_on


def test_a_row_without_an_end_date_ends_with_the_course() -> None:
    assert checked_end(ROW) is None
    assert checked_end({**ROW, "ended_on": ""}) is None


def test_a_row_may_say_the_participant_ended_on_or_before_the_course_end() -> None:
    assert checked_end({**ROW, "ended_on": "2026-12-01"}) == dt.date(2026, 12, 1)
    assert checked_end({**ROW, "ended_on": "2026-12-15"}) == dt.date(2026, 12, 15)
    assert checked_end({**ROW, "ended_on": "1.12.2026"}) == dt.date(2026, 12, 1)
    assert checked_end({**ROW, "ended_on": "15.12.2026"}) == dt.date(2026, 12, 15)


def test_a_course_ending_later_may_have_an_end_date_after_today() -> None:
    [result] = check_rows([{**ROW, "ended_on": "2027-01-10"}], course(end_date="2027-01-31"), TODAY)
    assert result.ended_on == dt.date(2027, 1, 10)


@pytest.mark.parametrize(
    ("ended_on", "reason"),
    [
        ("2026-12-16", "is after the course's end date"),
        ("1999-12-31", "is before 2000"),
        ("15/12/2026", "must be a date D.M.YYYY or YYYY-MM-DD"),
        ("16.12.2026", "is after the course's end date"),  # a Finnish date is read, then checked
    ],
)
def test_an_end_date_off_the_course_is_a_row_error(ended_on: str, reason: str) -> None:
    with pytest.raises(ImportRejected) as refused:
        check_rows([{**ROW, "ended_on": ended_on}], course(), TODAY)
    assert refused.value.errors == [RowError(1, "ended_on", reason)]


def test_an_end_date_comes_from_a_csv_column() -> None:
    content = f"hetu,grade,graded_on,ended_on\n{HETU},hyväksytty,2026-12-10,2026-12-02\n"
    rows = read_rows(content.encode(), "csv", result_columns(course()))
    [result] = check_rows(rows, course(), TODAY)
    assert result.ended_on == dt.date(2026, 12, 2)


def test_a_changed_end_date_changes_the_row_and_none_keeps_its_old_hash() -> None:
    [plain] = check_rows([ROW], course(), TODAY)
    [dated] = check_rows([{**ROW, "ended_on": "2026-12-02"}], course(), TODAY)
    [later] = check_rows([{**ROW, "ended_on": "2026-12-03"}], course(), TODAY)
    assert len({plain.content_hash, dated.content_hash, later.content_hash}) == 3
    # A row without one hashes as it did before rows could say it: importing an old file
    # again changes nothing.
    before: list[object] = [None, None, "Hyväksytty", "2026-12-10", "completed", []]
    assert (
        plain.content_hash
        == hashlib.sha256(json.dumps(before, ensure_ascii=False).encode()).hexdigest()
    )
