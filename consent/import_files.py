"""Staff's import files (results, enrolments), read into raw rows: CSV, JSON or XLSX, bounded.

What Finnish Excel and LibreOffice save is read as it is: CSV separated by semicolons (as
Finnish Excel saves it), commas or tabs, in UTF-8 with or without a BOM or in Windows-1252,
and ``.xlsx`` workbooks (their first sheet, read by the :data:`SheetReader` staff actions
are given). What the file *is* is told by its first bytes, not its name or declared type: a
zip is a workbook, an OLE2 file an old ``.xls`` (or a password-protected workbook), and each
refusal says what to save the file as instead.

A file is refused as a whole when its shape is wrong: no rows, more than :data:`MAX_ROWS`,
a CSV header without the required columns. Reading stops as soon as a file is over the row
limit, so a hostile upload costs little memory or time: CSV is read record by record, and a
JSON document's rows are counted before it is parsed. No error carries a value from the file:
a column is named by its position, and anything shaped like a hetu is masked.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeGuard

from consent.hetu import redact_hetus
from consent.strict_json import StrictJsonError, loads_strict

MAX_ROWS: Final = 10_000
TOO_MANY_ROWS: Final = f"has more than {MAX_ROWS} rows"
SHOWN_ERRORS: Final = 200  # row errors a refusal lists at most: a file may have thousands
NESTED_TOO_DEEPLY: Final = "JSON nested too deeply"
_BOM: Final = b"\xef\xbb\xbf"
_ZIP: Final = b"PK\x03\x04"  # a zip's first local header: .xlsx, .ods
_OLE2: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any encrypted workbook
# One multi-byte UTF-8 sequence: in a file that is not UTF-8 it means broken UTF-8, not 1252.
_UTF8_SEQUENCE: Final = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_CP1252_UNDEFINED: Final = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_CHUNK: Final = 64 * 1024
_DELIMITERS: Final = (";", "\t", ",")  # on a tie, the first: Finnish Excel's semicolon
_FINNISH_DATE: Final = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SAVE_AS: Final = "save it as .xlsx or as CSV (semicolons or commas)"
OLD_EXCEL: Final = (
    "is an old Excel file (.xls) or a password-protected workbook: "
    "save it as .xlsx without a password, or as CSV"
)
OPEN_DOCUMENT: Final = f"is an OpenDocument spreadsheet (.ods): {SAVE_AS}"
NOT_A_WORKBOOK: Final = f"is not a readable .xlsx workbook: {SAVE_AS}"
UNPACKS_TOO_LARGE: Final = f"is too large unpacked: {SAVE_AS} with only the rows to import"
NOT_TEXT: Final = f"is not a spreadsheet or a text file: {SAVE_AS}"
MIXED_ENCODING: Final = "mixes UTF-8 with another encoding: save it again as CSV UTF-8"
NOT_KNOWN_TEXT: Final = "is neither UTF-8 nor Windows-1252 text: save it as CSV UTF-8"
NO_SHEETS: Final = f"cannot be read as .xlsx here: {SAVE_AS}"
# A JSON string (skipped whole, so brackets inside it do not count) or one structural byte.
_JSON_TOKENS: Final = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"|[\[\]{},]', re.DOTALL)
_OPEN, _CLOSE, _COMMA = frozenset(b"[{"), frozenset(b"]}"), ord(",")

FileKind = Literal["csv", "json", "xlsx"]
XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MEDIA_KINDS: Final[dict[str, FileKind]] = {"text/csv": "csv", XLSX_MEDIA_TYPE: "xlsx"}

SheetReader = Callable[[bytes], Iterator[list[str]]]
"""Reads a workbook's first sheet: its records of text cells that hold any value, the header
first, each cell as the import reads text (a date cell ``2026-12-01``, an 8 stored as 8.0
``8``). Bounded as a CSV file is; raises :class:`ImportRejected` for what is no workbook."""


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
    one_of: tuple[str, ...] = ()  # at least one of these (``hetu``, ``oppijanumero``); the
    # first is named when none is there


def file_kind(media_type: str | None = None, filename: str | None = None) -> FileKind:
    """What an import file is, by what its sender tells: a declared media type (the API's
    ``Content-Type``: CSV only as ``text/csv``, XLSX as :data:`XLSX_MEDIA_TYPE`, JSON
    otherwise), else its name (a page's upload, a command's path: ``*.json``, ``*.xlsx``,
    CSV otherwise). :func:`read_rows` trusts the file's first bytes over either."""
    if media_type is not None:
        return _MEDIA_KINDS.get(media_type, "json")
    name = (filename or "").lower()
    return "json" if name.endswith(".json") else "xlsx" if name.endswith(".xlsx") else "csv"


def read_rows(
    content: bytes, kind: str, columns: Columns, sheets: SheetReader | None = None
) -> list[dict[str, Any]]:
    """The raw rows of a CSV (header line), JSON (a list, or ``{"results": [...]}``) or
    XLSX (header row of the first sheet, read by ``sheets``) file.

    A zip is read as a workbook and an OLE2 file refused as an old ``.xls`` whatever
    ``kind`` says (a renamed file is common); else ``kind`` (what :func:`file_kind` told)
    picks JSON, and anything else is read as CSV."""
    if content.startswith(_OLE2):
        raise ImportRejected([RowError(0, "(file)", OLD_EXCEL)])
    if content.startswith(_ZIP):
        if sheets is None:
            raise ImportRejected([RowError(0, "(file)", NO_SHEETS)])
        rows = _records_rows(sheets(content), columns)
    elif kind == "json":
        rows = _json_rows(content.removeprefix(_BOM))
    else:
        rows = _csv_rows(content, columns)
    if not rows:
        raise ImportRejected([RowError(0, "(file)", "has no rows")])
    return rows


def parse_day(value: str) -> dt.date:
    """A date as staff type it: ``1.12.2026`` or ``01.12.2026`` (as Finnish Excel shows and
    saves a date) or ISO ``2026-12-01``; :class:`ValueError` for anything else."""
    if found := _FINNISH_DATE.fullmatch(value):
        day, month, year = (int(part) for part in found.groups())
        return dt.date(year, month, day)
    if _ISO_DATE.fullmatch(value):
        return dt.date.fromisoformat(value)
    raise ValueError("not a date")


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
    limit. A blank line (or one of empty cells, ``;;;`` as Excel saves an emptied row)
    counts towards the limit (so a file of blank lines is refused as cheaply as any other)
    but is not a row and has no row number."""
    if b"\x00" in content:  # no CSV holds a NUL: a binary file (or UTF-16 text)
        raise ImportRejected([RowError(0, "(file)", NOT_TEXT)])
    encoding = _encoding(content)
    text = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=_delimiter(content, encoding))
    try:
        return _records_rows(reader, columns)
    except csv.Error as error:
        raise ImportRejected([RowError(reader.line_num, "(file)", f"CSV: {error}")]) from None


def _encoding(content: bytes) -> str:
    """The encoding of a CSV file: UTF-8 (a BOM, as Excel's "CSV UTF-8" writes, is dropped)
    when the bytes are valid UTF-8, else Windows-1252 (Excel's plain "CSV" on Finnish Windows).

    Windows-1252 Finnish text is never valid UTF-8 (``ä`` is one byte ``E4``, which UTF-8
    only starts a three-byte sequence with), so valid UTF-8 is UTF-8. Bytes that are not
    valid UTF-8 but hold a well-formed UTF-8 sequence (``C3 A4``, UTF-8's ``ä``) are broken
    UTF-8, a file pasted together from two encodings or cut short: it is refused rather than
    read as 1252, which would import every ``ä`` as ``Ã¤`` and send the name so to KOSKI.
    (A 1252 capital followed by a typographic sign, ``Ä–``, looks the same and is refused
    too; saving as CSV UTF-8 mends both.) Bytes 1252 leaves undefined are refused.

    The file is checked in chunks and read as a stream afterwards, never held decoded whole:
    a 10 MiB upload must not cost many times its size."""
    body = content.removeprefix(_BOM)
    if _is_utf8(body):
        return "utf-8-sig"
    if content.startswith(_BOM) or _UTF8_SEQUENCE.search(body):
        raise ImportRejected([RowError(0, "(file)", MIXED_ENCODING)])
    if _CP1252_UNDEFINED.search(body):
        raise ImportRejected([RowError(0, "(file)", NOT_KNOWN_TEXT)])
    return "cp1252"


def _is_utf8(body: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(body)
    try:
        for start in range(0, len(body), _CHUNK):
            decoder.decode(view[start : start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _delimiter(content: bytes, encoding: str) -> str:
    """The separator the header line uses most, outside quotes: ``;`` (Finnish Excel and
    LibreOffice), tab or ``,``; a one-column header has none and reads as comma-separated.
    The header names only columns, which hold no separator, so its count is unambiguous."""
    header, start = "", 0
    for _ in range(MAX_ROWS + 1):  # blank lines before the header: as many as a file's rows
        end = content.find(b"\n", start)
        line = content[start : len(content) if end < 0 else end].removeprefix(_BOM)
        if line.strip() or end < 0:
            header = line.decode(encoding, errors="replace")
            break
        start = end + 1
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _records_rows(records: Iterator[list[str]], columns: Columns) -> list[dict[str, Any]]:
    """The rows of a file's records (a CSV's lines, a sheet's rows): the first non-blank
    record is the header (its names trimmed: a sheet's ``hetu `` is ``hetu``)."""
    bounded = _bounded(records)
    header = next((cells for cells in bounded if any(cells)), None)
    if header is None:
        raise ImportRejected([RowError(0, "(file)", "has no rows")])
    header = [name.strip() for name in header]
    _check_header(header, columns)
    return _csv_records(header, bounded, columns)


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
    missing_one = columns.one_of and not set(columns.one_of) & set(header)
    missing = sorted(
        (columns.required - set(header)) | ({columns.one_of[0]} if missing_one else set())
    )
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
        if not any(cells):
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
