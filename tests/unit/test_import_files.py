"""Reading import files: the row limit counted exactly (never fooled by brackets or commas
inside strings), CSV as spreadsheets write it, and errors that quote nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from consent.connector import ENROLMENT_COLUMNS
from consent.import_files import (
    MAX_ROWS,
    MIXED_ENCODING,
    NOT_KNOWN_TEXT,
    ImportRejected,
    RowError,
    file_kind,
    read_rows,
)
from consent.results import result_columns
from tests.courses import course
from tests.hetus import make_hetu

COLUMNS = result_columns(course())
HETU = make_hetu(dt.date(1990, 5, 5))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def refusal(content: bytes, kind: str) -> list[RowError]:
    with pytest.raises(ImportRejected) as refused:
        read_rows(content, kind, COLUMNS)
    return refused.value.errors


def test_brackets_commas_and_escaped_quotes_inside_strings_count_as_nothing() -> None:
    tricky = '"' + "[{," * 20_000 + '\\"'
    body = json.dumps([{"hetu": HETU, "note": tricky}]).encode()
    assert read_rows(body, "json", COLUMNS) == [{"hetu": HETU, "note": tricky}]


@pytest.mark.parametrize("wrapped", [False, True], ids=["a list", "results in an object"])
def test_a_json_file_of_exactly_the_row_limit_is_read_and_one_more_is_refused(
    wrapped: bool,
) -> None:
    def document(count: int) -> bytes:
        rows = [{"hetu": HETU, "parts": {"KP-1": "hyväksytty"}}] * count
        return json.dumps({"results": rows} if wrapped else rows).encode()

    assert len(read_rows(document(MAX_ROWS), "json", COLUMNS)) == MAX_ROWS
    assert refusal(document(MAX_ROWS + 1), "json") == [
        RowError(0, "(file)", f"has more than {MAX_ROWS} rows")
    ]


def test_json_nested_deeper_than_a_results_file_is_refused_before_parsing() -> None:
    body = json.dumps([{"hetu": HETU, "parts": {"KP-1": ["hyväksytty"]}}]).encode()
    assert refusal(body, "json") == [RowError(0, "(file)", "JSON nested too deeply")]


def test_a_spreadsheet_csv_with_a_bom_quoted_newlines_and_blank_lines_is_read_by_data_row() -> None:
    body = (
        "\ufeffhetu,grade,graded_on,first_names,part:KP-1,\r\n"
        "\r\n"
        f'{HETU},hyväksytty,2026-11-01,"Aino\nMaria",hyväksytty,\r\n'
        "\r\n"
        f"{HETU},,2026-11-01,,,\r\n"
    ).encode()
    assert read_rows(body, "tulokset.csv", COLUMNS) == [
        {
            "hetu": HETU,
            "grade": "hyväksytty",
            "graded_on": "2026-11-01",
            "first_names": "Aino\nMaria",
            "parts": {"KP-1": "hyväksytty"},
        },
        {"hetu": HETU, "graded_on": "2026-11-01"},
    ]


def test_a_csv_of_exactly_the_row_limit_is_read_and_one_more_line_is_refused() -> None:
    header = b"hetu,grade,graded_on\n"
    assert len(read_rows(header + b"x,,\n" * MAX_ROWS, "csv", COLUMNS)) == MAX_ROWS
    assert refusal(header + b"x,,\n" * (MAX_ROWS - 1) + b"\n\n", "csv") == [
        RowError(0, "(file)", f"has more than {MAX_ROWS} rows")  # a blank line counts
    ]


def test_a_csv_header_names_each_problem_by_position_and_each_missing_column() -> None:
    body = f"{HETU},grade,grade,part:{HETU}\n".encode()
    assert refusal(body, "csv") == [
        RowError(0, "column 1", "is not a known column"),
        RowError(0, "column 3", "repeats an earlier column"),
        RowError(0, "column 4", "is not a part of this course"),
        RowError(0, "graded_on", "is missing from the header"),
        RowError(0, "hetu", "is missing from the header"),
    ]


def test_an_enrolment_csv_may_have_other_columns_but_needs_its_own() -> None:
    body = f"hetu,first_names,last_name,notes\n{HETU},Aino,Virtanen,x\n".encode()
    assert read_rows(body, "csv", ENROLMENT_COLUMNS) == [
        {"hetu": HETU, "first_names": "Aino", "last_name": "Virtanen", "notes": "x"}
    ]
    with pytest.raises(ImportRejected) as refused:
        read_rows(f"{HETU},Aino,Virtanen\n".encode(), "csv", ENROLMENT_COLUMNS)
    assert {e.field for e in refused.value.errors} == {"hetu", "first_names", "last_name"}


@pytest.mark.parametrize(
    ("content", "kind", "reason"),
    [
        (b"hetu,grade,graded_on\nM\xc3\xa4ki\xe4,,\n", "csv", MIXED_ENCODING),
        (b"\xef\xbb\xbfhetu,grade,graded_on\nM\xe4ki,,\n", "csv", MIXED_ENCODING),
        (b"hetu,grade,graded_on\n\x81,,\n", "csv", NOT_KNOWN_TEXT),
        (b'[{"hetu": "\xff"}]', "json", "body is not UTF-8"),
        (b"", "json", "malformed JSON at line 1 column 1"),
        (b"", "csv", "has no rows"),
    ],
)
def test_an_unreadable_file_is_one_file_error(content: bytes, kind: str, reason: str) -> None:
    assert refusal(content, kind) == [RowError(0, "(file)", reason)]


def test_no_error_ever_carries_anything_shaped_like_a_hetu() -> None:
    rejected = ImportRejected([RowError(1, f"x {HETU.lower()}", f"like {HETU}")])
    assert rejected.errors == [RowError(1, "x [hetu]", "like [hetu]")]


@pytest.mark.parametrize(
    ("media_type", "filename", "kind"),
    [
        ("text/csv", None, "csv"),  # the API: CSV only when declared so
        ("application/json", None, "json"),
        ("text/plain", None, "json"),
        (None, "tulokset.csv", "csv"),  # the pages and the CLI: JSON only by its name
        (None, "TULOKSET.JSON", "json"),
        (None, "tulokset.txt", "csv"),
        ("text/csv", "tulokset.json", "csv"),  # a declared type wins over a name
        (XLSX, None, "xlsx"),
        (None, "Tulokset.XLSX", "xlsx"),
    ],
)
def test_a_file_s_kind_is_told_by_its_declared_type_else_by_its_name(
    media_type: str | None, filename: str | None, kind: str
) -> None:
    assert file_kind(media_type, filename) == kind
