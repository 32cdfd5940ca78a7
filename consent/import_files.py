"""Staff's import files (results, enrolments), read into raw rows: CSV or JSON, bounded.

A file is refused as a whole when its shape is wrong: no rows, more than :data:`MAX_ROWS`,
a CSV header without the required columns. Reading stops as soon as a file is over the row
limit, so a hostile upload costs little memory or time: CSV is read record by record, and a
JSON document's rows are counted before it is parsed. No error carries a value from the file:
a column is named by its position, and anything shaped like a hetu is masked.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeGuard

from consent.hetu import redact_hetus
from consent.strict_json import StrictJsonError, loads_strict

MAX_ROWS: Final = 10_000
TOO_MANY_ROWS: Final = f"has more than {MAX_ROWS} rows"
SHOWN_ERRORS: Final = 200  # row errors a refusal lists at most: a file may have thousands
NESTED_TOO_DEEPLY: Final = "JSON nested too deeply"
_BOM: Final = b"\xef\xbb\xbf"
# A JSON string (skipped whole, so brackets inside it do not count) or one structural byte.
_JSON_TOKENS: Final = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"|[\[\]{},]', re.DOTALL)
_OPEN, _CLOSE, _COMMA = frozenset(b"[{"), frozenset(b"]}"), ord(",")

FileKind = Literal["csv", "json"]


@dataclass(frozen=True)
class RowError:
    """What is wrong with one row of an import (row 0: the file or its header)."""

    row: int
    field: str
    reason: str


class ImportRejected(Exception):
    """The file was not imported; ``errors`` say why, row by row, with hetus masked."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the file")
        self.errors = [
            RowError(e.row, redact_hetus(e.field), redact_hetus(e.reason)) for e in errors
        ]

    @property
    def whole_file(self) -> bool:
        """Whether the file as a whole is wrong (not UTF-8, not JSON, no rows, too many),
        rather than its header or rows breaking rules."""
        return any(e.field == "(file)" for e in self.errors)


class EnrolmentRejected(ImportRejected):
    """An enrolment file was refused: nobody was enrolled."""


@dataclass(frozen=True)
class Columns:
    """What a CSV header must and may name; ``prefix`` columns (``part:KP-1``) name one of
    ``prefixed`` and are gathered under ``gather`` (``parts``)."""

    required: frozenset[str]
    known: frozenset[str]
    unknown_allowed: bool = False
    prefix: str = ""
    prefixed: frozenset[str] = field(default_factory=frozenset)
    gather: str = ""


def file_kind(media_type: str | None = None, filename: str | None = None) -> FileKind:
    """What an import file is, by what its sender tells: a declared media type (the API's
    ``Content-Type``: CSV only as ``text/csv``, JSON otherwise), else its name (a page's
    upload, a command's path: JSON only as ``*.json``, CSV otherwise)."""
    if media_type is not None:
        return "csv" if media_type == "text/csv" else "json"
    return "json" if (filename or "").lower().endswith(".json") else "csv"


def read_rows(content: bytes, kind: str, columns: Columns) -> list[dict[str, Any]]:
    """The raw rows of a CSV (header line) or JSON (a list, or ``{"results": [...]}``) file;
    ``kind`` is what :func:`file_kind` told (``json``; anything else is read as CSV)."""
    json = kind == "json"
    rows = _json_rows(content.removeprefix(_BOM)) if json else _csv_rows(content, columns)
    if not rows:
        raise ImportRejected([RowError(0, "(file)", "has no rows")])
    return rows


def is_plain_text(value: object, longest: int = 200) -> TypeGuard[str]:
    """Whether ``value`` is text staff may import: short, no control characters, and no lone
    surrogates (they cannot be encoded as UTF-8, so sealing or hashing them would fail)."""
    return (
        isinstance(value, str)
        and len(value) <= longest
        and not any(ord(c) < 32 or "\ud800" <= c <= "\udfff" for c in value)
    )


def _json_rows(content: bytes) -> list[dict[str, Any]]:
    """The rows of a JSON document, counted before parsing: a 10 MiB array of ``{}`` would
    otherwise become millions of objects before the row limit could refuse it."""
    _refuse_oversized_json(content)
    try:
        document = loads_strict(content)
    except StrictJsonError as error:
        raise ImportRejected([RowError(0, "(file)", str(error))]) from None
    rows = document.get("results") if isinstance(document, dict) else document
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ImportRejected(
            [RowError(0, "(file)", 'must be a list of results or {"results": [...]}')]
        )
    return rows


def _refuse_oversized_json(content: bytes) -> None:
    """Refuse a document with over :data:`MAX_ROWS` rows, or nested deeper than rows of
    objects with one level of objects inside (``parts``), stopping at the first excess.

    The count is exact for a list of rows and for ``{"results": [...]}`` alone; anything
    else it may overcount, and the parse would refuse that shape anyway.
    """
    depth, rows_depth, separators = 0, 0, 0
    for token in _JSON_TOKENS.finditer(content):
        byte = content[token.start()]
        if byte in _OPEN:
            depth += 1
            rows_depth = rows_depth or (1 if byte == ord("[") else 2)  # [rows] or {"results"
            if depth > rows_depth + 2:
                raise ImportRejected([RowError(0, "(file)", NESTED_TOO_DEEPLY)])
        elif byte in _CLOSE:
            depth -= 1
        elif byte == _COMMA and depth == rows_depth:
            separators += 1
            if separators >= MAX_ROWS:
                raise ImportRejected([RowError(0, "(file)", TOO_MANY_ROWS)])


def _csv_rows(content: bytes, columns: Columns) -> list[dict[str, Any]]:
    """The rows of a CSV file, read record by record and refused at the first one over the
    limit. A blank line counts towards the limit (so a file of blank lines is refused as
    cheaply as any other) but is not a row and has no row number."""
    text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        records = _bounded(reader)
        header = next((cells for cells in records if cells), None)
        if header is None:
            raise ImportRejected([RowError(0, "(file)", "has no rows")])
        _check_header(header, columns)
        return _csv_records(header, records, columns)
    except csv.Error as error:
        raise ImportRejected([RowError(reader.line_num, "(file)", f"CSV: {error}")]) from None
    except UnicodeDecodeError:
        raise ImportRejected([RowError(0, "(file)", "is not UTF-8")]) from None


def _bounded(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    """The reader's records, the header and blank lines included, up to the row limit."""
    for count, cells in enumerate(reader):
        if count > MAX_ROWS:  # the header and MAX_ROWS rows are allowed
            raise ImportRejected([RowError(0, "(file)", TOO_MANY_ROWS)])
        yield cells


def _check_header(header: list[str], columns: Columns) -> None:
    """Refuse a header with unknown or repeated columns (named by position, never by what
    they say: a file without its header line has a hetu there) or without a required one."""
    errors, seen = [], set()
    for position, name in enumerate(header, start=1):
        if name in seen and name:
            errors.append(RowError(0, f"column {position}", "repeats an earlier column"))
        seen.add(name)
        if not name or name in columns.known or columns.unknown_allowed:
            continue
        if columns.prefix and name.startswith(columns.prefix):
            if name.removeprefix(columns.prefix) not in columns.prefixed:
                errors.append(RowError(0, f"column {position}", "is not a part of this course"))
            continue
        errors.append(RowError(0, f"column {position}", "is not a known column"))
    missing = sorted(columns.required - set(header))
    errors += [RowError(0, name, "is missing from the header") for name in missing]
    if errors:
        raise ImportRejected(errors)


def _csv_records(
    header: list[str], records: Iterator[list[str]], columns: Columns
) -> list[dict[str, Any]]:
    """Each non-blank record as a row; a row with values beyond the header is an error (a
    shifted row would otherwise import its values under the wrong columns)."""
    rows: list[dict[str, Any]] = []
    errors = []
    for cells in records:
        if not cells:
            continue
        rows.append(_csv_row(header, cells, columns))
        if any(cells[len(header) :]):
            errors.append(RowError(len(rows), f"column {len(header) + 1}", "is beyond the header"))
    if errors:
        raise ImportRejected(errors)
    return rows


def _csv_row(header: list[str], cells: list[str], columns: Columns) -> dict[str, Any]:
    """One record as a row: empty cells left out, prefixed columns gathered."""
    row: dict[str, Any] = {}
    gathered: dict[str, str] = {}
    for name, value in zip(header, cells, strict=False):
        if not name or not value:
            continue
        if columns.prefix and name.startswith(columns.prefix):
            gathered[name.removeprefix(columns.prefix)] = value
        else:
            row[name] = value
    if gathered:
        row[columns.gather] = gathered
    return row
