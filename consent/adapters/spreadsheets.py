"""Tables written as the spreadsheets staff open: CSV as Finnish Excel reads it, and XLSX.

CSV: UTF-8 with a byte-order mark (without it Excel reads UTF-8 as Windows-1252),
semicolons (Finnish Excel's list separator, since the comma is its decimal mark), every
field quoted, dates as ``1.12.2026`` and decimals with a comma. XLSX (openpyxl's write-only
workbook, so a big table is written row by row): real date cells shown ``d.m.yyyy``, a
header row, frozen.

A text cell never becomes a formula: one that starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return (a name can be typed so) is prefixed with an apostrophe, as OWASP's
"CSV injection" advice says, and XLSX text is written as text, never as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Cell = str | int | Decimal | dt.date | dt.datetime | None
FINNISH_TIME: Final = ZoneInfo("Europe/Helsinki")  # staff read times in their own zone
BOM: Final = "\ufeff"
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
XLSX_DATE: Final = "d.m.yyyy"
XLSX_TIME: Final = "d.m.yyyy h:mm"
CSV_MEDIA_TYPE: Final = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def inert(text: str) -> str:
    """``text`` as a cell no spreadsheet evaluates: an apostrophe before a formula's start."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def local_time(moment: dt.datetime) -> dt.datetime:
    """A stored UTC time as a Finnish wall-clock time, without a zone (cells have none)."""
    return moment.astimezone(FINNISH_TIME).replace(tzinfo=None)


def csv_text(cell: Cell) -> str:
    """One cell as Finnish Excel reads it: ``1.12.2026``, ``1.12.2026 14:05``, ``1,5``."""
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        return f"{local_time(cell):%-d.%-m.%Y %-H:%M}"
    if isinstance(cell, dt.date):
        return f"{cell:%-d.%-m.%Y}"
    if isinstance(cell, Decimal):
        return format(cell.normalize(), "f").replace(".", ",")
    if isinstance(cell, int):
        return str(cell)
    return inert(cell)


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[bytes]:
    """The table as CSV, a line at a time (a response streams it): the BOM first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([inert(name) for name in header])
    yield (BOM + buffer.getvalue()).encode()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_text(cell) for cell in row])
        yield buffer.getvalue().encode()


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """The table as one XLSX sheet named ``title``: a bold, frozen header row, then a row
    per row, dates as dates."""
    book = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_cell(sheet, name, font=bold) for name in header])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(sheet: WriteOnlyWorksheet, value: Cell, font: Font | None = None) -> WriteOnlyCell:
    """One XLSX cell: text as text (never a formula), a date or time with its format."""
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=local_time(value))
        cell.number_format = XLSX_TIME
    elif isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATE
    elif isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=inert(value))
        cell.data_type = "s"  # openpyxl would make a text starting with "=" a formula
    else:
        cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    return cell
