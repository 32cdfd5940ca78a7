"""Excel workbooks (``.xlsx``) through openpyxl: staff's uploads read as records of text
cells, and import templates written.

An upload is hostile until checked. A workbook is a zip, so before openpyxl opens it the
zip's own directory is checked: too many members or too many bytes unpacked (a zip bomb: in
all, in one part, or in the shared strings, which openpyxl holds in memory whole) is
refused, and so is an OpenDocument file (``.ods``, also a zip). The sheet is read in
openpyxl's read-only mode with its declared size ignored (a hostile ``<dimension>`` or row
number would otherwise have it pad millions of empty rows), at most :data:`MAX_COLUMNS`
wide and :data:`MAX_RECORDS` long, empty rows included. No refusal names a cell's value.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any, Final

import openpyxl
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from consent.import_files import (
    MAX_ROWS,
    NOT_A_WORKBOOK,
    OPEN_DOCUMENT,
    TOO_MANY_ROWS,
    UNPACKS_TOO_LARGE,
    ImportRejected,
    RowError,
)

MAX_UNPACKED: Final = 32 * 1024 * 1024  # a full 10,000-row sheet unpacks to a few MiB
MAX_MEMBER: Final = 16 * 1024 * 1024  # the sheet is streamed; other parts are read whole
# The shared strings are held in memory as Python strings, some six times their XML's size
# (measured: 30 MiB of them peaked at 194 MiB); a 10,000-row sheet's take well under 2 MiB.
MAX_SHARED_STRINGS: Final = 4 * 1024 * 1024
MAX_MEMBERS: Final = 1_000  # a workbook has some tens of parts
MAX_COLUMNS: Final = 64  # cells further right are not read: no import has that many columns
MAX_RECORDS: Final = 10 * MAX_ROWS  # rows read, empty ones too (formatted but never filled)
_OPEN_DOCUMENT: Final = b"application/vnd.oasis.opendocument"


def sheet_records(content: bytes) -> Iterator[list[str]]:
    """The first sheet's rows that hold any value, each cell as text (see :func:`cell_text`)
    up to its last value, as a CSV line is; a :data:`consent.import_files.SheetReader`."""
    _check_archive(content)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises what its parsers raise: all say "not one"
        raise _refused(NOT_A_WORKBOOK) from None
    try:
        yield from _records(workbook.worksheets[0] if workbook.worksheets else None)
    finally:
        workbook.close()


def _records(sheet: Any) -> Iterator[list[str]]:  # openpyxl is untyped
    if not isinstance(sheet, ReadOnlyWorksheet):  # no sheet, or a chart sheet first
        raise _refused(NOT_A_WORKBOOK)
    sheet.reset_dimensions()
    rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    try:
        for count, values in enumerate(rows):
            if count >= MAX_RECORDS:
                raise _refused(TOO_MANY_ROWS)
            cells = [cell_text(value) for value in values]
            while cells and not cells[-1]:  # padded to the widest: a CSV line has no such tail
                cells.pop()
            if cells:
                yield cells
    except ImportRejected:
        raise
    except Exception:  # noqa: BLE001 - a sheet broken halfway is refused whole, as a CSV is
        raise _refused(NOT_A_WORKBOOK) from None


def _check_archive(content: bytes) -> None:
    """Refuse a zip that is broken, an OpenDocument file, or one that unpacks too large (by
    its directory's sizes, which :mod:`zipfile` holds every member to when it unpacks)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
        if len(members) > MAX_MEMBERS or any(_too_large(m) for m in members):
            raise _refused(UNPACKS_TOO_LARGE)
        if sum(m.file_size for m in members) > MAX_UNPACKED:
            raise _refused(UNPACKS_TOO_LARGE)
        names = archive.namelist()  # an OpenDocument file names its type first, as "mimetype"
        if "mimetype" in names and archive.read("mimetype").startswith(_OPEN_DOCUMENT):
            raise _refused(OPEN_DOCUMENT)
    except ImportRejected:
        raise
    except Exception:  # noqa: BLE001 - zlib, lzma and bz2 errors, an encrypted member, ...
        raise _refused(NOT_A_WORKBOOK) from None


def _too_large(member: zipfile.ZipInfo) -> bool:
    shared = member.filename.lower().endswith("sharedstrings.xml")
    return member.file_size > (MAX_SHARED_STRINGS if shared else MAX_MEMBER)


def cell_text(value: object) -> str:
    """A cell as the import reads text: a date cell as ISO ``2026-12-01`` (with its time, if
    it has one, so a date field refuses it), a whole number stored as 8.0 as ``8``, other
    numbers as Python writes them, empty as ``""``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        midnight = value.time() == dt.time()
        return value.date().isoformat() if midnight else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def workbook(
    header: Sequence[str], notes: Sequence[tuple[str, str]], title: str, notes_title: str
) -> bytes:
    """An ``.xlsx`` whose first sheet (``title``) has ``header`` as its first row (every
    column formatted as text, so a typed hetu or ``1.12.2026`` stays as typed) and whose
    second sheet lists ``notes`` (column, what it holds), which the import never reads: it
    reads the first sheet only."""
    book = openpyxl.Workbook()
    sheet: Worksheet = book.active  # a new workbook's one sheet
    sheet.title = title
    sheet.append(list(header))
    for column in range(1, len(header) + 1):
        letter = sheet.cell(row=1, column=column).column_letter
        sheet.column_dimensions[letter].number_format = "@"
        sheet.column_dimensions[letter].width = max(12, len(header[column - 1]) + 2)
    guide = book.create_sheet(notes_title)
    for number, row in enumerate(notes, start=1):
        for column, value in enumerate(row, start=1):
            # Text, never a formula: a part's name may start with "=" as staff typed it.
            guide.cell(row=number, column=column, value=value).data_type = "s"
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["B"].width = 90
    written = io.BytesIO()
    book.save(written)
    return written.getvalue()


def _refused(reason: str) -> ImportRejected:
    return ImportRejected([RowError(0, "(file)", reason)])
