"""Checking rows whatever parser produced them: nothing that would fail later (hashing,
sealing, storing) gets past the check, and no error names a value from the file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consent.connector import check_enrolment_rows
from consent.hetu import HETU_PATTERN
from consent.import_files import ImportRejected, RowError, read_rows
from consent.results import check_rows, result_columns
from tests.courses import course
from tests.hetus import make_hetu

TODAY = dt.date(2026, 12, 1)
HETU = make_hetu(dt.date(1990, 5, 5))
OTHER = make_hetu(dt.date(1985, 3, 3))
ROW = {"hetu": HETU, "grade": "hyväksytty", "graded_on": "2026-11-01"}
_KEYS = ["hetu", "grade", "graded_on", "status", "first_names", "last_name"]
_VALUES = [HETU, OTHER, "hyväksytty", "hylätty", "2026-11-01", "0001-01-01", "interrupted"]


def errors_of(row: dict[str, Any]) -> list[RowError]:
    with pytest.raises(ImportRejected) as refused:
        check_rows([row], course(), TODAY)
    return refused.value.errors


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({OTHER: "x"}, RowError(1, "key 4", "is not a known field")),
        (
            {"parts": {"KP-1": "hyväksytty", OTHER: "x"}},
            RowError(1, "parts key 2", "is not a part of this course"),
        ),
    ],
    ids=["a hetu as a key", "a hetu as a part code"],
)
def test_an_unknown_key_is_named_by_its_position(extra: dict[str, Any], error: RowError) -> None:
    assert errors_of(ROW | extra) == [error]


@pytest.mark.parametrize("name", ["A\ud800", "\udfffB", "A\x00", "A\tB"])
def test_a_name_no_utf_8_text_or_database_can_hold_is_a_row_error(name: str) -> None:
    assert errors_of(ROW | {"first_names": name}) == [
        RowError(1, "first_names", "must be text of at most 200 characters")
    ]


def test_odd_but_valid_unicode_in_a_name_is_accepted_and_hashes() -> None:
    [result] = check_rows([ROW | {"last_name": "\u202eAhonen\ufeff\uffff 🦊"}], course(), TODAY)
    assert len(result.content_hash) == 64


@pytest.mark.parametrize(
    ("graded_on", "accepted"),
    [("0001-01-01", False), ("1999-12-31", False), ("2000-01-01", True), ("9999-12-31", False)],
)
def test_a_grading_date_must_lie_between_2000_and_today(graded_on: str, accepted: bool) -> None:
    row = ROW | {"graded_on": graded_on}
    if accepted:
        assert check_rows([row], course(), TODAY)[0].graded_on == dt.date(2000, 1, 1)
    else:
        assert [e.field for e in errors_of(row)] == ["graded_on"]


@pytest.mark.parametrize(
    "change",
    [
        {"first_names": "A\ud800"},
        {"last_name": "B\x00"},
        {"email": "a\x00@b.fi"},
    ],
    ids=["a lone surrogate", "a NUL", "a NUL in an e-mail address"],
)
def test_an_enrolment_row_with_a_name_or_address_no_one_could_store_is_refused(
    change: dict[str, Any],
) -> None:
    row = {"hetu": HETU, "first_names": "Aino", "last_name": "Virtanen"} | change
    with pytest.raises(ImportRejected) as refused:
        check_enrolment_rows([row], TODAY)
    [error] = refused.value.errors
    assert error.field in {"first_names", "last_name", "email"}


_JSON_VALUES = st.recursive(
    st.sampled_from(_VALUES) | st.none() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from([*_KEYS, "parts", "KP-1"]) | st.text(max_size=8), children
        )
    ),
    max_leaves=20,
)


@given(
    st.lists(
        st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=8), _JSON_VALUES, max_size=8),
        max_size=5,
    )
)
def test_any_json_rows_are_checked_or_refused_and_what_passes_can_be_hashed(
    rows: list[dict[str, Any]],
) -> None:
    body = json.dumps(rows, ensure_ascii=False).encode("utf-8", "surrogatepass")
    _checked_or_refused(body, "json")


@given(
    st.lists(st.sampled_from([*_KEYS, "part:KP-1", "part:X"]) | st.text(max_size=8), max_size=8),
    st.lists(st.lists(st.text(max_size=12) | st.sampled_from(_VALUES), max_size=8), max_size=5),
)
def test_any_csv_is_checked_or_refused_and_what_passes_can_be_hashed(
    header: list[str], rows: list[list[str]]
) -> None:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    _checked_or_refused(out.getvalue().encode("utf-8", "surrogatepass"), "csv")


@given(st.binary(max_size=300))
def test_any_bytes_are_checked_or_refused(content: bytes) -> None:
    _checked_or_refused(content, "json")
    _checked_or_refused(content, "csv")


def _checked_or_refused(content: bytes, kind: str) -> None:
    """Only :class:`ImportRejected` may come out, quoting no hetu; a result that passes
    hashes (as storing does) and encodes as UTF-8 (as sealing does)."""
    try:
        results = check_rows(read_rows(content, kind, result_columns(course())), course(), TODAY)
    except ImportRejected as refused:
        for error in refused.errors:
            assert not HETU_PATTERN.search(f"{error.field} {error.reason}")
        return
    for result in results:
        assert len(result.content_hash) == 64
        f"{result.first_names}{result.last_name}".encode()


@pytest.mark.parametrize("grade", ["²", "٣", "１０", "¹⁰", "0", "11", "07x"])
def test_a_numeric_grade_is_only_a_plain_number_from_1_to_10(grade: str) -> None:
    numeric = course(grading_scale="1-10")
    with pytest.raises(ImportRejected) as refused:
        check_rows([ROW | {"grade": grade}], numeric, TODAY)
    assert refused.value.errors == [RowError(1, "grade", "must be 1-10 or hylätty")]


def test_a_numeric_grade_with_a_leading_zero_is_the_same_grade() -> None:
    [result] = check_rows([ROW | {"grade": " 07 "}], course(grading_scale="1-10"), TODAY)
    assert result.grade == "7"
