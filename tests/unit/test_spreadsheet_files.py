"""Import files as Finnish Excel and LibreOffice save them: semicolons, BOM or none,
Windows-1252, ``1.12.2026``, decimal commas and ``.xlsx``; and what is refused instead, each
refusal saying what to save the file as."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import openpyxl
import pytest

from consent.adapters.xlsx import MAX_COLUMNS, MAX_SHARED_STRINGS, sheet_records, workbook
from consent.connector import ENROLMENT_COLUMNS, check_enrolment_rows
from consent.courses import GradingScale
from consent.import_files import (
    MAX_ROWS,
    MIXED_ENCODING,
    NO_SHEETS,
    NOT_A_WORKBOOK,
    NOT_KNOWN_TEXT,
    NOT_TEXT,
    OLD_EXCEL,
    OPEN_DOCUMENT,
    TOO_MANY_ROWS,
    UNPACKS_TOO_LARGE,
    ImportRejected,
    RowError,
    parse_day,
    read_rows,
)
from consent.results import DATE_REASON, check_rows, result_columns
from tests.courses import course
from tests.hetus import make_hetu
from tests.sheets import (
    OLE2,
    inline_row,
    not_a_workbook,
    ods,
    sheet_xml,
    with_member,
    with_shared_strings,
    xlsx,
    zip_bomb,
)
from web.staff_pages import texts

TODAY = dt.date(2026, 12, 20)
HETU = make_hetu(dt.date(1990, 5, 5))
COURSE = course()  # pass/fail, parts KP-1 and KP-2, ends 2026-12-15
COLUMNS = result_columns(COURSE)


def rows_of(content: bytes, kind: str = "csv") -> list[dict[str, Any]]:
    return read_rows(content, kind, COLUMNS, sheet_records)


def refusal(content: bytes, kind: str = "csv") -> list[RowError]:
    with pytest.raises(ImportRejected) as refused:
        rows_of(content, kind)
    return refused.value.errors


@pytest.mark.parametrize("separator", [";", ",", "\t"], ids=["semicolon", "comma", "tab"])
def test_a_csv_is_read_with_the_separator_its_header_line_uses(separator: str) -> None:
    lines = [["hetu", "grade", "graded_on", "part:KP-1"], [HETU, "hyväksytty", "1.12.2026", ""]]
    content = "\r\n".join(separator.join(cells) for cells in lines).encode()
    assert rows_of(content) == [{"hetu": HETU, "grade": "hyväksytty", "graded_on": "1.12.2026"}]


def test_a_semicolon_file_keeps_a_comma_inside_a_value() -> None:
    content = f"hetu;last_name;graded_on\n{HETU};Virtanen, os. Mäki;1.12.2026\n".encode()
    assert rows_of(content)[0]["last_name"] == "Virtanen, os. Mäki"


@pytest.mark.parametrize(
    "encoded",
    [
        lambda text: text.encode("utf-8"),
        lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
        lambda text: text.encode("cp1252"),
    ],
    ids=["UTF-8", "UTF-8 with a BOM", "Windows-1252"],
)
def test_a_name_with_finnish_letters_reads_the_same_in_every_encoding_excel_saves(
    encoded: Any,
) -> None:
    text = f"hetu;first_names;last_name;graded_on\r\n{HETU};Äijä Öljy;Hämäläinen;1.12.2026\r\n"
    [row] = rows_of(encoded(text))
    assert (row["first_names"], row["last_name"]) == ("Äijä Öljy", "Hämäläinen")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (f"hetu;last_name\n{HETU};M\u00e4ki\n".encode() + b"\xe4", MIXED_ENCODING),
        (b"\xef\xbb\xbfhetu;last_name\nM\xe4ki\n", MIXED_ENCODING),  # a BOM, then 1252
        (b"hetu;last_name\nM\x81ki\n", NOT_KNOWN_TEXT),  # a byte 1252 leaves undefined
        (b"h\x00e\x00t\x00u\x00", NOT_TEXT),  # UTF-16, or any binary file
    ],
    ids=["UTF-8 and 1252 mixed", "a BOM over 1252", "undefined in 1252", "NUL bytes"],
)
def test_text_that_is_neither_utf8_nor_windows_1252_is_refused_saying_how_to_save_it(
    content: bytes, reason: str
) -> None:
    assert refusal(content) == [RowError(0, "(file)", reason)]


def test_rows_excel_saves_as_bare_separators_are_blank_and_header_names_are_trimmed() -> None:
    content = f" hetu ;graded_on\n{HETU};1.12.2026\n;\n;\n".encode()
    assert rows_of(content) == [{"hetu": HETU, "graded_on": "1.12.2026"}]


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("1.12.2026", dt.date(2026, 12, 1)),
        ("01.12.2026", dt.date(2026, 12, 1)),
        ("9.1.2026", dt.date(2026, 1, 9)),
        ("2026-12-01", dt.date(2026, 12, 1)),
    ],
)
def test_a_date_is_read_as_finnish_excel_shows_it_or_in_iso(typed: str, day: dt.date) -> None:
    assert parse_day(typed) == day
    [result] = check_rows([{"hetu": HETU, "grade": "hylätty", "graded_on": typed}], COURSE, TODAY)
    assert result.graded_on == day


@pytest.mark.parametrize("typed", ["31.11.2026", "1.12.26", "12/1/2026", "20261201", "1.12.2026."])
def test_a_date_in_no_form_staff_use_is_a_row_error(typed: str) -> None:
    with pytest.raises(ImportRejected) as refused:
        check_rows([{"hetu": HETU, "grade": "hylätty", "graded_on": typed}], COURSE, TODAY)
    assert refused.value.errors == [RowError(1, "graded_on", DATE_REASON)]


@pytest.mark.parametrize(("typed", "grade"), [("8", "8"), ("8,0", "8"), ("8.0", "8"), ("10", "10")])
def test_a_whole_grade_with_a_decimal_comma_or_point_is_that_grade(typed: str, grade: str) -> None:
    numeric = course(grading_scale=GradingScale.NUMERIC.value)
    row = {"hetu": HETU, "grade": typed, "graded_on": "1.12.2026", "parts": {"KP-1": typed}}
    [result] = check_rows([row], numeric, TODAY)
    assert (result.grade, result.part_grades["KP-1"]) == (grade, grade)


@pytest.mark.parametrize("typed", ["8,5", "8.25", "0,0", "11,0"])
def test_a_grade_that_is_not_a_whole_1_to_10_is_a_row_error(typed: str) -> None:
    numeric = course(grading_scale=GradingScale.NUMERIC.value)
    with pytest.raises(ImportRejected) as refused:
        check_rows([{"hetu": HETU, "grade": typed, "graded_on": "1.12.2026"}], numeric, TODAY)
    assert refused.value.errors == [RowError(1, "grade", "must be 1-10 or hylätty")]


def test_an_xlsx_sheet_reads_dates_and_numbers_as_excel_stores_them() -> None:
    content = xlsx(
        [
            ["hetu", "grade", "graded_on", "ended_on", "part:KP-1"],
            [HETU, 8.0, dt.datetime(2026, 12, 1), dt.date(2026, 12, 2), 7],
            [None, None, None, None, None],  # emptied rows Excel keeps at the end
            [None, None],
        ],
        second_sheet=["ei", "luettava"],
    )
    numeric = course(grading_scale=GradingScale.NUMERIC.value)
    rows = read_rows(content, "xlsx", result_columns(numeric), sheet_records)
    assert rows == [
        {
            "hetu": HETU,
            "grade": "8",
            "graded_on": "2026-12-01",
            "ended_on": "2026-12-02",
            "parts": {"KP-1": "7"},
        }
    ]
    [result] = check_rows(rows, numeric, TODAY)
    assert (result.grade, result.graded_on, result.part_grades) == (
        "8",
        dt.date(2026, 12, 1),
        {"KP-1": "7"},
    )


def test_an_xlsx_is_read_as_a_workbook_whatever_its_name_or_declared_type_said() -> None:
    content = xlsx([["hetu", "graded_on"], [HETU, "1.12.2026"]])
    assert rows_of(content, "csv") == rows_of(content, "json") == rows_of(content, "xlsx")


def test_an_xlsx_enrolment_sheet_is_checked_as_a_csv_one_is() -> None:
    content = xlsx([["hetu", "first_names", "last_name", "email"], [HETU, "Aino", "Mäki", None]])
    rows = read_rows(content, "xlsx", ENROLMENT_COLUMNS, sheet_records)
    [row] = check_enrolment_rows(rows, TODAY)
    assert (row.participant.last_name, row.contact) == ("Mäki", {})


def test_an_xlsx_sheet_with_a_value_beyond_its_header_is_refused_as_a_csv_is() -> None:
    content = xlsx([["hetu", "graded_on"], [HETU, "1.12.2026", "siirtynyt"]])
    assert refusal(content) == [RowError(1, "column 3", "is beyond the header")]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (OLE2, OLD_EXCEL),
        (ods(), OPEN_DOCUMENT),
        (not_a_workbook(), NOT_A_WORKBOOK),
        (b"PK\x03\x04 cut short", NOT_A_WORKBOOK),
        (zip_bomb(), UNPACKS_TOO_LARGE),
        (with_member(xlsx([["hetu"]]), "xl/worksheets/sheet1.xml", b"<worksheet"), NOT_A_WORKBOOK),
    ],
    ids=["old .xls", ".ods", "a zip of something else", "a broken zip", "a zip bomb", "bad XML"],
)
def test_a_file_that_is_no_xlsx_or_csv_is_refused_saying_what_to_save_it_as(
    content: bytes, reason: str
) -> None:
    for kind in ("csv", "xlsx", "json"):
        assert refusal(content, kind) == [RowError(0, "(file)", reason)]


def _corrupted_member(compression: int) -> bytes:
    """A zip whose one member's packed bytes are garbled (zlib or lzma then fail to unpack)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.spreadsheet" * 20)
    content = bytearray(buffer.getvalue())
    start = 30 + len("mimetype") + (4 if compression == zipfile.ZIP_LZMA else 0)
    content[start + 2 : start + 12] = b"\xff" * 10
    return bytes(content)


def _encrypted_member() -> bytes:
    """A zip whose one member says it is encrypted (zipfile asks for a password)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", b"x")
    content = bytearray(buffer.getvalue())
    content[6] |= 1  # the local header's flag
    central = content.rfind(b"PK\x01\x02")
    content[central + 8] |= 1  # the central directory's flag
    return bytes(content)


@pytest.mark.parametrize(
    "content",
    [
        _corrupted_member(zipfile.ZIP_DEFLATED),
        _corrupted_member(zipfile.ZIP_LZMA),
        _encrypted_member(),
    ],
    ids=["garbled deflate", "garbled lzma", "an encrypted member"],
)
def test_a_zip_whose_members_cannot_be_unpacked_is_refused_not_a_crash(content: bytes) -> None:
    for kind in ("csv", "xlsx"):
        assert refusal(content, kind) == [RowError(0, "(file)", NOT_A_WORKBOOK)]


def test_a_shared_string_table_too_large_to_hold_in_memory_is_refused() -> None:
    rows = [["hetu", "graded_on"], [HETU, "1.12.2026"]]
    fits = with_shared_strings(xlsx(rows), 1000)
    assert rows_of(fits) == [{"hetu": HETU, "graded_on": "1.12.2026"}]
    over = with_shared_strings(xlsx(rows), MAX_SHARED_STRINGS // 20)  # 21 bytes a string
    assert refusal(over) == [RowError(0, "(file)", UNPACKS_TOO_LARGE)]


def test_a_workbook_is_refused_where_no_sheet_reader_was_given() -> None:
    content = xlsx([["hetu", "graded_on"], [HETU, "1.12.2026"]])
    with pytest.raises(ImportRejected) as refused:
        read_rows(content, "xlsx", COLUMNS)
    assert refused.value.errors == [RowError(0, "(file)", NO_SHEETS)]


def test_a_sheet_of_one_row_too_many_is_refused() -> None:
    rows = "".join(inline_row(n, HETU, "1.12.2026") for n in range(2, MAX_ROWS + 3))
    content = with_member(
        xlsx([["x"]]),
        "xl/worksheets/sheet1.xml",
        sheet_xml(inline_row(1, "hetu", "graded_on") + rows),
    )
    assert refusal(content) == [RowError(0, "(file)", TOO_MANY_ROWS)]


def test_a_row_numbered_in_the_billions_is_refused_without_reading_the_gap() -> None:
    rows = inline_row(1, "hetu", "graded_on") + inline_row(4_000_000_000, HETU, "1.12.2026")
    content = with_member(xlsx([["x"]]), "xl/worksheets/sheet1.xml", sheet_xml(rows))
    assert refusal(content) == [RowError(0, "(file)", TOO_MANY_ROWS)]


def test_a_declared_sheet_size_of_a_million_rows_is_not_padded_out() -> None:
    rows = inline_row(1, "hetu", "graded_on") + inline_row(2, HETU, "1.12.2026")
    dimension = b'<dimension ref="A1:XFD1048576"/>'
    xml = sheet_xml(rows).replace(b"<sheetData>", dimension + b"<sheetData>")
    content = with_member(xlsx([["x"]]), "xl/worksheets/sheet1.xml", xml)
    assert rows_of(content) == [{"hetu": HETU, "graded_on": "1.12.2026"}]


def test_cells_beyond_the_widest_import_are_not_read() -> None:
    far = f'<c r="ZZ2" t="inlineStr"><is><t>{HETU}</t></is></c>'  # column 702
    second = inline_row(2, HETU, "1.12.2026").replace("</row>", far + "</row>")
    xml = sheet_xml(inline_row(1, "hetu", "graded_on") + second)
    content = with_member(xlsx([["x"]]), "xl/worksheets/sheet1.xml", xml)
    assert MAX_COLUMNS < 702
    assert rows_of(content) == [{"hetu": HETU, "graded_on": "1.12.2026"}]


@pytest.mark.parametrize(
    "reason",
    [
        DATE_REASON,
        OLD_EXCEL,
        OPEN_DOCUMENT,
        NOT_A_WORKBOOK,
        UNPACKS_TOO_LARGE,
        NOT_TEXT,
        MIXED_ENCODING,
        NOT_KNOWN_TEXT,
        NO_SHEETS,
    ],
)
def test_every_refusal_of_a_file_s_format_is_worded_in_finnish_and_swedish(reason: str) -> None:
    finnish, swedish = texts.REASONS_FI[reason], texts.REASONS_SV[reason]
    assert finnish != reason
    assert swedish != reason
    if "save it as .xlsx" in reason:
        assert ".xlsx" in finnish
        assert ".xlsx" in swedish


def test_a_template_s_notes_are_text_even_where_a_name_starts_like_a_formula() -> None:
    header = ["hetu", "graded_on", "part:KP-1"]
    content = workbook(header, [("part:KP-1", "=1+1 piirustus")], "Tiedot", "Ohje")
    first, notes = openpyxl.load_workbook(io.BytesIO(content)).worksheets
    assert [cell.value for cell in first[1]] == header
    assert (notes["B1"].value, notes["B1"].data_type) == ("=1+1 piirustus", "s")
    assert refusal(content) == [RowError(0, "(file)", "has no rows")]  # the notes are not rows
