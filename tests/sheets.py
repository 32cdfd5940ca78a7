"""Spreadsheet files for tests, as Excel and LibreOffice save them, and hostile ones."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

# The first bytes of every OLE2 compound file: an old .xls, or an encrypted .xlsx.
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def xlsx(rows: Sequence[Sequence[object]], *, second_sheet: Sequence[str] = ()) -> bytes:
    """A workbook whose first sheet holds ``rows`` as cells of the values' own types (a date
    a date cell, 8.0 a number), and whose second sheet, if any, holds ``second_sheet``."""
    book = openpyxl.Workbook()
    sheet: Worksheet = book.active
    for row in rows:
        sheet.append(list(row))
    if second_sheet:
        book.create_sheet("Ohje").append(list(second_sheet))
    written = io.BytesIO()
    book.save(written)
    return written.getvalue()


def with_member(workbook: bytes, name: str, content: bytes) -> bytes:
    """``workbook`` with the zip member ``name`` replaced by (or added as) ``content``."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    written = io.BytesIO()
    with zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            if member.filename != name:
                target.writestr(member, source.read(member))
        target.writestr(name, content)
    return written.getvalue()


def sheet_xml(rows: str) -> bytes:
    """A first sheet's XML around ``rows`` (``<row>`` elements with inline strings)."""
    namespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return f'<worksheet xmlns="{namespace}"><sheetData>{rows}</sheetData></worksheet>'.encode()


def inline_row(number: int, *values: str) -> str:
    """One ``<row>`` of inline-string cells from column A on."""
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for i, value in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def zip_bomb() -> bytes:
    """A real workbook carrying one member that unpacks to 80 MiB of zeros (80 KiB packed)."""
    return with_member(xlsx([["hetu"]]), "xl/media/image1.bin", bytes(80 * 1024 * 1024))


def ods() -> bytes:
    """The start of an OpenDocument spreadsheet: a zip naming its type first."""
    written = io.BytesIO()
    with zipfile.ZipFile(written, "w") as target:
        target.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        target.writestr("content.xml", "<office:document-content/>")
    return written.getvalue()


def not_a_workbook() -> bytes:
    """A zip of something else (a photo album, say)."""
    written = io.BytesIO()
    with zipfile.ZipFile(written, "w") as target:
        target.writestr("kuva.txt", "ei taulukko")
    return written.getvalue()


def with_shared_strings(workbook: bytes, count: int) -> bytes:
    """``workbook`` carrying a shared-string table of ``count`` distinct strings (openpyxl
    writes inline strings, so the table and its content type are added)."""
    namespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    strings = "".join(f"<si><t>{i:07d}</t></si>" for i in range(count))
    table = f'<sst xmlns="{namespace}">{strings}</sst>'.encode()
    override = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    types = zipfile.ZipFile(io.BytesIO(workbook)).read("[Content_Types].xml")
    typed = with_member(workbook, "[Content_Types].xml", types.replace(b"</Types>", override))
    return with_member(typed, "xl/sharedStrings.xml", table)
