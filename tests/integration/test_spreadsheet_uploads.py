"""Results and enrolment files as Finnish Excel and LibreOffice save them, uploaded on the
staff pages (checked, then confirmed), through the staff API and the CLI, on both databases:
semicolon CSV in Windows-1252 with ``1.12.2026`` dates, ``.xlsx`` with date and number cells,
each course's own templates filled in and uploaded, and the files that are refused instead."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import Engine, text

from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.adapters.sql.status import SqlStatus
from consent.config import Settings
from consent.hetu import Hetu
from consent.import_files import MAX_ROWS, XLSX_MEDIA_TYPE
from consent.staff import Role
from tests.courses import course_doc
from tests.hetus import make_hetu
from tests.sheets import OLE2, inline_row, not_a_workbook, ods, sheet_xml, with_member, xlsx
from tests.sheets import zip_bomb as make_zip_bomb
from tests.unit.test_config import PRODUCTION
from web.app import create_app

COURSE = "knoppi-2026-syksy"  # pass/fail, parts KP-1 and KP-2
PAGE = f"/staff/courses/{COURSE}"
PASSWORD = "pitkä-ja-hyvä-salasana"
AINO = make_hetu(dt.date(1990, 5, 5))
EERO = make_hetu(dt.date(1985, 3, 3))
MINOR = make_hetu(dt.date(2012, 4, 4))
ZIP_BOMB = make_zip_bomb()
SAVE_AS = "tallenna se muodossa .xlsx tai CSV (puolipiste- tai pilkkuerotin)"
LIBREOFFICE_CSV = (
    "hetu;grade;graded_on;first_names;last_name;part:KP-1;part:KP-2\r\n"
    f"{AINO};hyväksytty;1.12.2026;Äijä;Hämäläinen;hyväksytty;hyväksytty\r\n"
    f"{EERO};Hylätty;01.11.2026;Eero;Öhman;hylätty;\r\n"
    ";;;;;;\r\n"
).encode("cp1252")


@pytest.fixture
def pages(engine: Engine, redis_client: redis.Redis) -> FlaskClient:
    """A logged-in staff member's browser, with the course defined (and the signing
    connector on, as local defaults have it)."""
    SqlStaffAccounts(engine, utc_now).create("staff", PASSWORD, Role.STAFF)
    client = create_app(Settings.from_env({}), engine=engine, broker=redis_client).test_client()
    assert form(client, "/staff/login", {"username": "staff", "password": PASSWORD})[:3] == "302"
    response = client.put(f"/api/courses/{COURSE}", json=course_doc(), headers=api_token(engine))
    assert response.status_code == 200
    return client


def api_token(engine: Engine, name: str = "course-maker") -> dict[str, str]:
    token = SqlStaffTokens(engine, utc_now).create(f"{name}-{os.urandom(3).hex()}", Role.STAFF)
    return {"Authorization": f"Bearer {token}"}


def form(client: FlaskClient, path: str, data: dict[str, object], page: str = "") -> str:
    """Submit a form with the CSRF token of the page it is on; status, location and page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page or path).text)
    assert found is not None
    response = client.post(path, data={"csrf_token": found.group(1), **data})
    return f"{response.status_code} {response.headers.get('Location', '')}\n{response.text}"


def upload(client: FlaskClient, content: bytes, filename: str, what: str = "results") -> str:
    return form(client, f"{PAGE}/{what}", {"file": (BytesIO(content), filename)}, PAGE)


def confirm_action(preview: str, what: str = "results") -> str:
    found = re.search(rf'action="({PAGE}/{what}/[^"]+)"', preview)
    assert found is not None, preview[:500]
    return found.group(1)


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())  # noqa: S608 - a test's own table names


def name_and_result(engine: Engine, hetu: str) -> tuple[str, str | None, dt.date | None]:
    """The participant's name as stored, grade and grading day (asked for by hetu)."""
    status = SqlStatus(engine, AesGcmCipher(Settings.from_env({}).pii_keys))
    [row] = status.course_status(COURSE, Hetu(hetu))
    assert row.result is not None
    return row.participant.name, row.result.grade, row.result.graded_on


def test_a_libreoffice_csv_in_windows_1252_is_checked_then_imported_on_confirm(
    pages: FlaskClient, engine: Engine
) -> None:
    preview = upload(pages, LIBREOFFICE_CSV, "tulokset.csv")
    assert preview.startswith("200 "), preview[:500]
    assert "<strong>2</strong> uusia" in preview
    assert count(engine, "results") == 0  # nothing stored before the confirmation
    assert form(pages, confirm_action(preview), {}, PAGE).startswith(f"302 {PAGE}")
    assert name_and_result(engine, AINO) == ("Äijä Hämäläinen", "Hyväksytty", dt.date(2026, 12, 1))
    assert name_and_result(engine, EERO) == ("Eero Öhman", "Hylätty", dt.date(2026, 11, 1))


def test_an_xlsx_with_date_cells_is_checked_then_imported_on_confirm(
    pages: FlaskClient, engine: Engine
) -> None:
    content = xlsx(
        [
            ["hetu", "grade", "graded_on", "ended_on", "last_name", "part:KP-1", "part:KP-2"],
            [AINO, "hyväksytty", dt.datetime(2026, 12, 1), dt.date(2026, 11, 30), "Mäki", "h", ""],
            [None] * 7,
        ],
        second_sheet=["huomautus", "ei tuoda"],
    )
    refused = upload(pages, content, "tulokset.xlsx")  # "h" is no grade: fixed, then sent again
    assert refused.startswith("400 ")
    assert "<td>1</td><td>parts.KP-1</td><td>pitää olla hyväksytty tai hylätty</td>" in refused
    assert "rivi 1 on ensimmäinen täytetty rivi otsikon alla" in refused  # Excel's row 2
    passed = "hyväksytty"
    fixed = xlsx(
        [
            ["hetu", "grade", "graded_on", "ended_on", "last_name", "part:KP-1", "part:KP-2"],
            [AINO, passed, dt.datetime(2026, 12, 1), dt.date(2026, 11, 30), "Mäki", passed, passed],
        ]
    )
    preview = upload(pages, fixed, "tulokset.xlsx")
    assert "<strong>1</strong> uusia" in preview, preview[:500]
    assert count(engine, "results") == 0
    assert form(pages, confirm_action(preview), {}, PAGE).startswith(f"302 {PAGE}")
    assert name_and_result(engine, AINO) == ("Mäki", "Hyväksytty", dt.date(2026, 12, 1))


def test_the_api_imports_an_xlsx_and_a_semicolon_csv_alike_and_enrols_from_an_xlsx(
    pages: FlaskClient, engine: Engine
) -> None:
    sheet = xlsx([["hetu", "grade", "graded_on"], [AINO, "hyväksytty", dt.date(2026, 12, 1)]])
    answer = pages.post(
        f"/api/courses/{COURSE}/results",
        data=sheet,
        content_type=XLSX_MEDIA_TYPE,
        headers=api_token(engine),
    )
    assert (answer.status_code, answer.json) == (200, {"changed": 1, "unchanged": 0})
    same = f"hetu;grade;graded_on\r\n{AINO};hyväksytty;1.12.2026\r\n".encode("cp1252")
    answer = pages.post(
        f"/api/courses/{COURSE}/results",
        data=same,
        content_type="text/csv",
        headers=api_token(engine),
    )
    assert (answer.status_code, answer.json) == (200, {"changed": 0, "unchanged": 1})
    enrolment = xlsx([["hetu", "first_names", "last_name"], [EERO, "Eero", "Öhman"]])
    answer = pages.post(
        f"/api/courses/{COURSE}/enrolments",
        data=enrolment,
        content_type=XLSX_MEDIA_TYPE,
        headers=api_token(engine),
    )
    assert (answer.status_code, answer.json) == (200, {"enrolled": 1, "enrolled_before": 0})


HOSTILE = {
    "an old .xls": (OLE2, "on vanha Excel-tiedosto (.xls)"),
    "an .ods": (ods(), "on OpenDocument-laskentataulukko (.ods): " + SAVE_AS),
    "a zip of something else": (not_a_workbook(), "ei ole luettava .xlsx-työkirja: " + SAVE_AS),
    "a zip bomb": (ZIP_BOMB, "on purettuna liian suuri: " + SAVE_AS),
    "a binary file": (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "ei ole taulukko eikä tekstitiedosto"),
    "a sheet one row too long": (
        with_member(
            xlsx([["x"]]),
            "xl/worksheets/sheet1.xml",
            sheet_xml(
                inline_row(1, "hetu", "graded_on", "first_names", "last_name")
                + "".join(inline_row(n, AINO, "1.12.2026") for n in range(2, MAX_ROWS + 3))
            ),
        ),
        "sisältää yli 10000 riviä",
    ),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_file_no_spreadsheet_can_read_is_refused_on_the_page_saying_what_to_save_it_as(
    pages: FlaskClient, engine: Engine, case: str
) -> None:
    content, shown = HOSTILE[case]
    for what, filename in (("results", "tulokset.xlsx"), ("enrolments", "osallistujat.csv")):
        answer = upload(pages, content, filename, what)
        assert answer.startswith("400 "), answer[:300]
        assert f"<td>(tiedosto)</td><td>{shown}" in answer
    assert count(engine, "pending_imports") == 0
    assert count(engine, "results") == count(engine, "enrolments") == 0


@pytest.mark.parametrize("case", ["an old .xls", "a zip bomb", "a sheet one row too long"])
def test_the_api_refuses_a_file_no_spreadsheet_can_read_as_a_bad_request(
    pages: FlaskClient, engine: Engine, case: str
) -> None:
    content, _ = HOSTILE[case]
    for what in ("results", "enrolments"):
        answer = pages.post(
            f"/api/courses/{COURSE}/{what}",
            data=content,
            content_type=XLSX_MEDIA_TYPE,
            headers=api_token(engine),
        )
        assert answer.status_code == 400, answer.text[:300]
        assert answer.json is not None
        assert answer.json["errors"][0]["field"] == "(file)"
    assert count(engine, "results") == count(engine, "enrolments") == 0


def test_a_results_template_has_the_course_s_columns_and_imports_once_filled_in(
    pages: FlaskClient, engine: Engine
) -> None:
    template = pages.get(f"{PAGE}/templates/results.csv")
    assert template.status_code == 200
    assert (
        template.headers["Content-Disposition"] == f'attachment; filename="tulokset-{COURSE}.csv"'
    )
    header = "hetu;grade;graded_on;ended_on;status;first_names;last_name;part:KP-1;part:KP-2\r\n"
    assert template.data == b"\xef\xbb\xbf" + header.encode()
    filled = (
        template.data
        + f"{AINO};hyväksytty;1.12.2026;;;Aino;Mäki;hyväksytty;hyväksytty\r\n".encode()
    )
    preview = upload(pages, filled, "tulokset.csv")
    assert form(pages, confirm_action(preview), {}, PAGE).startswith(f"302 {PAGE}")
    assert name_and_result(engine, AINO) == ("Aino Mäki", "Hyväksytty", dt.date(2026, 12, 1))

    workbook = pages.get(f"{PAGE}/templates/results.xlsx")
    assert workbook.mimetype == XLSX_MEDIA_TYPE
    book = openpyxl.load_workbook(io.BytesIO(workbook.data))
    first, notes = book.worksheets
    assert [cell.value for cell in first[1]] == header.strip().split(";")
    assert ("part:KP-1", "Piirustus") in {(row[0].value, row[1].value) for row in notes.rows}
    first.append([EERO, "hylätty", "2.12.2026", None, None, None, None, "hylätty", None])
    saved = io.BytesIO()
    book.save(saved)
    preview = upload(pages, saved.getvalue(), "tulokset.xlsx")
    assert "<strong>1</strong> uusia" in preview, preview[:500]
    assert form(pages, confirm_action(preview), {}, PAGE).startswith(f"302 {PAGE}")
    assert name_and_result(engine, EERO)[1:] == ("Hylätty", dt.date(2026, 12, 2))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_enrolment_template_filled_in_is_checked_then_enrols_on_confirm(
    pages: FlaskClient, engine: Engine, redis_client: redis.Redis, fmt: str
) -> None:
    template = pages.get(f"{PAGE}/templates/enrolments.{fmt}")
    assert template.status_code == 200
    adult = [AINO, "Aino", "Mäki", "aino@example.fi", None, None, None, None, None, None]
    minor = [MINOR, "Onni", "Öhman", None, None, EERO, "Eero", "Öhman", None, "+358401234567"]
    if fmt == "csv":
        lines = [";".join(cell or "" for cell in row) for row in (adult, minor)]
        filled = template.data + "\r\n".join(lines).encode() + b"\r\n"
    else:
        book = openpyxl.load_workbook(io.BytesIO(template.data))
        book.worksheets[0].append(adult)
        book.worksheets[0].append(minor)
        saved = io.BytesIO()
        book.save(saved)
        filled = saved.getvalue()
    preview = upload(pages, filled, f"osallistujat.{fmt}", "enrolments")
    assert preview.startswith("200 "), preview[:500]
    assert "osallistuja itse" in preview
    assert "huoltaja" in preview
    assert AINO not in preview
    assert count(engine, "enrolments") == 0  # nobody enrolled, nobody invited yet
    assert not redis_client.exists("rq:job:invite-1")
    confirmed = form(pages, confirm_action(preview, "enrolments"), {}, PAGE)
    assert confirmed.startswith(f"302 {PAGE}")
    assert "Kutsuttu 2 uutta; 0 oli kutsuttu jo aiemmin." in pages.get(PAGE).text
    assert count(engine, "enrolments") == 2


def test_an_enrolment_upload_is_confirmed_once_only_by_its_uploader_and_only_as_enrolments(
    pages: FlaskClient, engine: Engine, redis_client: redis.Redis
) -> None:
    enrolment = f"hetu;first_names;last_name\r\n{AINO};Aino;Mäki\r\n".encode("cp1252")
    preview = upload(pages, enrolment, "osallistujat.csv", "enrolments")
    action = confirm_action(preview, "enrolments")
    results_preview = upload(pages, LIBREOFFICE_CSV, "tulokset.csv")
    results_action = confirm_action(results_preview)
    crossed = [
        action.replace("/enrolments/", "/results/"),  # an enrolment file confirmed as results
        results_action.replace("/results/", "/enrolments/"),  # and the other way round
        f"{PAGE}/enrolments/00000000-0000-4000-8000-000000000000",  # no such upload
    ]
    for wrong in crossed:
        answer = form(pages, wrong, {}, PAGE)
        assert answer.startswith(f"302 {PAGE}"), answer[:300]
        assert "Tarkistettua tiedostoa ei enää löydy" in pages.get(PAGE).text
    assert count(engine, "enrolments") == count(engine, "results") == 0

    other = create_app(Settings.from_env({}), engine=engine, broker=redis_client).test_client()
    SqlStaffAccounts(engine, utc_now).create("toinen", PASSWORD, Role.STAFF)
    assert form(other, "/staff/login", {"username": "toinen", "password": PASSWORD})[:3] == "302"
    assert form(other, action, {}, PAGE).startswith(f"302 {PAGE}")  # not theirs to confirm
    assert count(engine, "enrolments") == 0

    assert form(pages, action, {}, PAGE).startswith(f"302 {PAGE}")
    assert count(engine, "enrolments") == 1
    assert form(pages, action, {}, PAGE).startswith(f"302 {PAGE}")  # confirmed once only
    assert "Tarkistettua tiedostoa ei enää löydy" in pages.get(PAGE).text
    assert count(engine, "enrolments") == 1


def test_a_bad_enrolment_file_shows_its_problems_and_holds_nothing(
    pages: FlaskClient, engine: Engine
) -> None:
    minor_alone = f"hetu;first_names;last_name\r\n{MINOR};Onni;Öhman\r\n".encode("cp1252")
    answer = upload(pages, minor_alone, "osallistujat.csv", "enrolments")
    assert answer.startswith("400 ")
    assert "tarvitaan alle 18-vuotiaalle osallistujalle" in answer
    assert count(engine, "pending_imports") == count(engine, "enrolments") == 0


def test_the_course_page_offers_each_upload_s_templates_and_takes_xlsx(pages: FlaskClient) -> None:
    shown = pages.get(PAGE).text
    for what in ("results", "enrolments"):
        for fmt in ("xlsx", "csv"):
            assert f'id="{what}-template-{fmt}" href="{PAGE}/templates/{what}.{fmt}"' in shown
    assert shown.count('accept=".csv,.xlsx,.json,') == 2
    assert shown.count("Tarkista tiedosto</button>") == 2  # each upload is checked first


def test_a_template_of_no_such_course_or_format_is_not_found(pages: FlaskClient) -> None:
    assert pages.get("/staff/courses/ei-ole/templates/results.csv").status_code == 404
    assert pages.get(f"{PAGE}/templates/results.ods").status_code == 404
    assert pages.get(f"{PAGE}/templates/other.csv").status_code == 404


def test_the_cli_imports_results_from_an_xlsx_by_its_name(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    env = {**clean, "VST_DATA_DIR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:6379/1"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "cli.main", *args]
        root = Path(__file__).resolve().parents[2]
        return subprocess.run(
            command, cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False
        )

    assert run("migrate").returncode == 0
    course_file = tmp_path / "kurssi.json"
    course_file.write_text(json.dumps(course_doc()))
    assert run("courses", "import", str(course_file)).returncode == 0
    sheet = tmp_path / "tulokset.xlsx"
    sheet.write_bytes(
        xlsx([["hetu", "grade", "graded_on"], [AINO, "hylätty", dt.date(2026, 12, 1)]])
    )
    imported = run("results", "import", COURSE, str(sheet))
    assert imported.returncode == 0, imported.stderr
    assert "imported: 1 new or changed, 0 unchanged" in imported.stdout
    old = tmp_path / "tulokset.xls"
    old.write_bytes(OLE2)
    refused = run("results", "import", COURSE, str(old))
    assert refused.returncode != 0
    assert "old Excel file (.xls)" in refused.stdout + refused.stderr
