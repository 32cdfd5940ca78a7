"""A course's export on both databases: masked by default, full hetus and names only for the
staff role and audited (counts, never contents), CSV as Finnish Excel opens it, XLSX with
real dates, no cell a formula, a fixed number of statements at any size; from the pages,
the API and the command line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import stat
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cli.main import main
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.adapters.sql.tables import AuditRow
from consent.model import SubmissionState
from consent.staff import Role
from consent.submissions import SubmissionChange
from tests.export_ledger import ExportLedger
from tests.hetus import make_hetu
from tests.integration.test_staff_pages import app_client, login
from tests.integration.test_status import counted_statements
from tests.signing import person
from web.staff_pages.texts import FI, SV

__all__ = ["app_client"]
CODE = "eratauko-2026"
ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
MINOR = person(dt.date(2010, 6, 6), "Eeli", "Nieminen")
GUARDIAN = person(dt.date(1980, 7, 7), "Maija", "Nieminen")
SNEAKY = person(dt.date(1991, 8, 8), '=HYPERLINK("http://evil.example")', "@Summa")
WAITING = person(dt.date(1992, 9, 9), "Ville", "Odottaja")
OID = "1.2.246.562.15.12345678901"
EXPORT = f"/staff/courses/{CODE}/export"


@pytest.fixture
def ledger(engine: Engine) -> ExportLedger:
    """The course with four participants: an adult's record sent, a guardian-signed minor's
    refused by KOSKI, a participant whose names start like formulas (no consent), and a
    consent with no result yet."""
    built = ExportLedger(engine)
    course_id = built.course(CODE)
    adult = built.participant(CODE, course_id, ADULT)
    built.sent(adult, OID, at=dt.datetime(2026, 11, 21, 12, 5, tzinfo=dt.UTC))
    minor = built.submission(built.participant(CODE, course_id, MINOR, relation="guardian"))
    refused = SubmissionChange(
        state=SubmissionState.FAILED,
        last_status=400,
        last_error_keys=("badRequest.validation.date.päättymispäivä",),
        last_error_message="Päättymispäivä on väärin",
    )
    built.change(minor, refused)
    built.participant(CODE, course_id, SNEAKY, consent=None, binding="no_consent")
    built.participant(CODE, None, WAITING)
    return built


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8 as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _audits(engine: Engine, action: str) -> list[AuditRow]:
    with Session(engine) as session:
        query = select(AuditRow).where(AuditRow.action == action).order_by(AuditRow.id)
        return list(session.execute(query).scalars())


def test_a_viewer_exports_a_course_masked_as_the_course_page_shows_it(
    app_client: FlaskClient, ledger: ExportLedger
) -> None:
    login(app_client, Role.VIEWER)
    response = app_client.get(f"{EXPORT}?format=csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{CODE}.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    header, *rows = _csv(response.data)
    assert header[:3] == ["Henkilötunnus", "Nimi", "Suostumus"]
    by_hetu = {row[0]: row for row in rows}
    adult = by_hetu["******" + ADULT["hetu"][6:]]
    assert adult[1] == "A. V."
    assert adult[2] == "allekirjoittanut itse"
    assert ADULT["hetu"] not in response.text
    assert "Virtanen" not in response.text
    minor = by_hetu["******" + MINOR["hetu"][6:]]
    assert minor[2:4] == ["huoltaja allekirjoittanut", "huoltaja"]
    assert len(rows) == 4


def test_a_viewer_asking_for_full_hetus_is_refused_and_nothing_is_audited(
    app_client: FlaskClient, ledger: ExportLedger, engine: Engine
) -> None:
    login(app_client, Role.VIEWER)
    response = app_client.get(f"{EXPORT}?format=xlsx&hetu=full")
    assert response.status_code == 403
    assert ADULT["hetu"] not in response.text
    assert _audits(engine, "course.exported") == []


def test_staff_export_full_hetus_and_names_and_each_export_is_audited_by_counts(
    app_client: FlaskClient, ledger: ExportLedger, engine: Engine
) -> None:
    login(app_client)
    masked = app_client.get(f"{EXPORT}?format=csv")
    full = app_client.get(f"{EXPORT}?format=csv&hetu=full")
    assert full.status_code == 200
    assert full.headers["Content-Disposition"] == f'attachment; filename="{CODE}-hetut.csv"'
    rows = {row[0]: row for row in _csv(full.data)[1:]}
    assert rows[ADULT["hetu"]][1] == "Aino Virtanen"
    assert ADULT["hetu"] not in masked.text
    entries = _audits(engine, "course.exported")
    assert [(e.actor, (e.details or {})["full_hetu"]) for e in entries] == [
        ("staff:staff", False),
        ("staff:staff", True),
    ]
    details = entries[1].details or {}
    assert details == {"code": CODE, "full_hetu": True, "rows": 4, "consents": 3, "sent": 1}
    assert ADULT["hetu"] not in str(details)


def test_the_csv_opens_as_finnish_excel_expects_semicolons_dates_and_koski_state_in_words(
    app_client: FlaskClient, ledger: ExportLedger
) -> None:
    login(app_client)
    response = app_client.get(f"{EXPORT}?format=csv&hetu=full")
    first_line = response.data.decode("utf-8-sig").split("\r\n")[0]
    assert first_line.startswith('"Henkilötunnus";"Nimi";"Suostumus";')
    header, *rows = _csv(response.data)
    adult = dict(zip(header, {r[0]: r for r in rows}[ADULT["hetu"]], strict=True))
    assert adult["Allekirjoitettu"] == "1.9.2026 11:15"  # 8.15 UTC is 11.15 in Finland
    assert adult["Arvioitu"] == "20.11.2026"
    assert adult["Päättyi"] == "20.11.2026"  # the course's end date: the row gave none
    assert adult["KOSKI-tila"] == "lähetetty"
    assert adult["Opiskeluoikeuden OID"] == OID
    assert adult["Versionumero"] == "1"
    assert adult["Lähetetty"] == "21.11.2026 14:05"
    assert adult["Käsittelyn tulos"] == "lähetetään KOSKIin"
    minor = dict(zip(header, {r[0]: r for r in rows}[MINOR["hetu"]], strict=True))
    assert minor["KOSKI-tila"] == "KOSKI hylkäsi"
    assert minor["KOSKIn virheavaimet"] == "badRequest.validation.date.päättymispäivä"
    assert minor["KOSKIn virhe"] == "Päättymispäivä on väärin"
    waiting = dict(zip(header, {r[0]: r for r in rows}[WAITING["hetu"]], strict=True))
    assert waiting["Suoritus"] == "ei vielä arvioitu"
    assert waiting["Arvioitu"] == ""


def test_the_xlsx_has_a_frozen_header_and_real_date_cells(
    app_client: FlaskClient, ledger: ExportLedger
) -> None:
    login(app_client)
    response = app_client.get(f"{EXPORT}?format=xlsx&hetu=full")
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header[0] == "Henkilötunnus"
    rows = {
        row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(2, values_only=True)
    }
    adult = rows[ADULT["hetu"]]
    assert adult["Arvioitu"] == dt.datetime(2026, 11, 20)  # a date cell, read back as one
    assert adult["Lähetetty"] == dt.datetime(2026, 11, 21, 14, 5)  # Finnish time
    assert adult["Versionumero"] == 1
    date_cell = next(c for c in sheet[2] if c.column == header.index("Arvioitu") + 1)
    assert date_cell.is_date
    assert date_cell.number_format == "d.m.yyyy"


def test_a_name_that_starts_like_a_formula_never_becomes_one(
    app_client: FlaskClient, ledger: ExportLedger
) -> None:
    login(app_client)
    csv_rows = _csv(app_client.get(f"{EXPORT}?format=csv&hetu=full").data)
    [sneaky] = [row for row in csv_rows if row[0] == SNEAKY["hetu"]]
    assert sneaky[1] == '\'=HYPERLINK("http://evil.example") @Summa'
    xlsx = app_client.get(f"{EXPORT}?format=xlsx&hetu=full").data
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    [cell] = [row[1] for row in sheet.iter_rows(2) if row[0].value == SNEAKY["hetu"]]
    assert cell.data_type == "s"  # text, not a formula ("f")
    assert cell.value == '\'=HYPERLINK("http://evil.example") @Summa'


def test_a_bad_format_or_an_unknown_course_is_a_clear_refusal(
    app_client: FlaskClient, ledger: ExportLedger, engine: Engine
) -> None:
    login(app_client)
    bad = app_client.get(f"{EXPORT}?format=ods")
    assert bad.status_code == 400
    assert "Valitse muoto csv tai xlsx." in bad.text
    assert app_client.get("/staff/courses/ei-ole/export").status_code == 404
    assert _audits(engine, "course.exported") == []


def test_the_course_page_links_its_exports_and_full_ones_for_staff_only(
    app_client: FlaskClient, ledger: ExportLedger
) -> None:
    login(app_client, Role.VIEWER)
    page = app_client.get(f"/staff/courses/{CODE}").text
    assert f'href="{EXPORT}?format=xlsx"' in page
    assert "hetu=full" not in page
    login(app_client)
    assert (
        f'href="{EXPORT}?format=xlsx&amp;hetu=full"'
        in app_client.get(f"/staff/courses/{CODE}").text
    )


def test_the_api_exports_masked_for_a_viewer_and_full_only_for_a_staff_token(
    app_client: FlaskClient, ledger: ExportLedger, engine: Engine
) -> None:
    tokens = SqlStaffTokens(engine, utc_now)
    viewer = {"Authorization": f"Bearer {tokens.create('v', Role.VIEWER)}"}
    staff = {"Authorization": f"Bearer {tokens.create('s', Role.STAFF)}"}
    path = f"/api/courses/{CODE}/export"
    masked = app_client.get(f"{path}?format=csv", headers=viewer)
    assert masked.status_code == 200
    assert ADULT["hetu"] not in masked.text
    refused = app_client.get(f"{path}?hetu=full", headers=viewer)
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    full = app_client.get(f"{path}?format=xlsx&hetu=full", headers=staff)
    sheet = load_workbook(io.BytesIO(full.data)).active
    assert sheet is not None
    assert ADULT["hetu"] in [row[0] for row in sheet.iter_rows(2, values_only=True)]
    assert app_client.get(f"{path}?format=pdf", headers=staff).status_code == 400
    assert app_client.get(f"{path}?hetu=yes", headers=staff).status_code == 400
    assert app_client.get(f"{path}?formaatti=xlsx", headers=staff).status_code == 400
    actors = [(e.actor, (e.details or {})["full_hetu"]) for e in _audits(engine, "course.exported")]
    assert actors == [("staff:v", False), ("staff:s", True)]


def test_the_command_writes_full_hetus_to_an_owner_only_file_and_audits_who_asked(
    ledger: ExportLedger,
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    out = tmp_path / "kurssi.xlsx"
    out.write_bytes(b"old")
    out.chmod(0o644)
    assert (
        main(["export", "course", CODE, "--format", "xlsx", "--full-hetu", "--out", str(out)]) == 2
    )
    assert out.read_bytes() == b"old"
    args = ["export", "course", CODE, "--format", "xlsx", "--full-hetu", "--by", "sanna"]
    assert main([*args, "--out", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    sheet = load_workbook(out).active
    assert sheet is not None
    assert ADULT["hetu"] in [row[0] for row in sheet.iter_rows(2, values_only=True)]
    masked = tmp_path / "kurssi.csv"
    assert main(["export", "course", CODE, "--out", str(masked)]) == 0
    assert ADULT["hetu"] not in masked.read_text("utf-8-sig")
    assert ADULT["hetu"] not in capsys.readouterr().out
    actors = [(e.actor, (e.details or {})["full_hetu"]) for e in _audits(engine, "course.exported")]
    assert actors == [("staff:sanna", True), ("cli", False)]


def test_an_export_costs_the_same_statements_for_ten_participants_as_for_sixty(
    app_client: FlaskClient, engine: Engine
) -> None:
    built = ExportLedger(engine)
    for code, size in (("pieni", 10), ("iso", 60)):
        course_id = built.course(code)
        for n in range(size):
            member = person(dt.date(1970, 1, 1) + dt.timedelta(days=n))
            member["hetu"] = make_hetu(dt.date(1970, 1, 1) + dt.timedelta(days=n), 100 + len(code))
            entry = built.participant(code, course_id if n % 4 else None, member)
            if n % 4 == 1:
                built.sent(entry, f"1.2.246.562.15.{len(code):03d}{n:08d}")
    login(app_client)
    counts = []
    for code in ("pieni", "iso"):
        with counted_statements(engine) as statements:
            response = app_client.get(f"/staff/courses/{code}/export?format=xlsx&hetu=full")
        assert response.status_code == 200
        counts.append(len([s for s in statements if "audit_events" not in s]))
    assert counts[0] == counts[1]


def test_a_swedish_account_exports_with_swedish_column_names_and_words(
    app_client: FlaskClient, ledger: ExportLedger, engine: Engine
) -> None:
    SqlStaffAccounts(engine, utc_now).set_language("viewer", "sv")
    login(app_client, Role.VIEWER)
    header, *rows = _csv(app_client.get(f"{EXPORT}?format=csv").data)
    assert header[:3] == ["Personbeteckning", "Namn", "Samtycke"]
    adult = next(row for row in rows if row[0].endswith(ADULT["hetu"][6:]))
    assert adult[2] == SV["consent.valid.self"]
    assert adult[2] != FI["consent.valid.self"]
    xlsx = app_client.get(f"{EXPORT}?format=xlsx").data
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    assert next(cell.value for cell in sheet[1]) == "Personbeteckning"
    summary = app_client.get("/staff/summary?year=2026&format=csv").data.decode("utf-8-sig")
    assert summary.startswith('"Studiehelhet";"I KOSKI"')


def test_koskis_error_keys_are_in_the_attention_lists_words_where_the_pages_know_them(
    app_client: FlaskClient, ledger: ExportLedger
) -> None:
    course_id = ledger.course(CODE)  # the same course saved again: its id
    twice = ledger.submission(
        ledger.participant(CODE, course_id, person(dt.date(1994, 4, 4), "Kalle", "Kahdesti"))
    )
    refused = SubmissionChange(
        state=SubmissionState.FAILED,
        last_status=409,
        last_error_keys=("conflict.exists",),
        last_error_message="Vastaava opiskeluoikeus on jo olemassa",
    )
    ledger.change(twice, refused)
    login(app_client)
    header, *rows = _csv(app_client.get(f"{EXPORT}?format=csv").data)
    [row] = [dict(zip(header, r, strict=True)) for r in rows if r[1] == "K. K."]
    assert row["KOSKIn virheavaimet"] == "conflict.exists"
    assert row["KOSKIn virhe"] == FI["koski_key.conflict.exists"]


def test_a_participant_without_a_hetu_is_exported_by_oppijanumero_masked_as_on_the_page(
    app_client: FlaskClient, ledger: ExportLedger
) -> None:
    oid = "1.2.246.562.24.91377095207"
    course_id = ledger.course(CODE)
    ledger.participant(CODE, course_id, {"oid": oid, "first_names": "Amina", "last_name": "Hassan"})
    login(app_client)
    masked = {row[0]: row for row in _csv(app_client.get(f"{EXPORT}?format=csv").data)}
    assert masked["1.2.246.562.24.*******5207"][1] == "A. H."
    assert oid not in masked
    full = {row[0]: row for row in _csv(app_client.get(f"{EXPORT}?format=csv&hetu=full").data)}
    assert full[oid][1] == "Amina Hassan"
