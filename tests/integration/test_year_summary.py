"""The yearly summary on both databases: per opintokokonaisuus, a year's records KOSKI holds
now (a record is of the year its participant's end date falls in), the keskeytynyt among
them, and the records invalidated during the year (Finnish time); counts only, as a page,
CSV, XLSX, JSON and from the command line."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from cli.main import main
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.model import SubmissionState
from consent.staff import Role
from consent.submissions import SubmissionChange
from tests.export_ledger import Entry, ExportLedger
from tests.hetus import make_hetu
from tests.integration.test_staff_pages import app_client, login
from tests.signing import person

__all__ = ["app_client"]
_born = iter(dt.date(1960, 1, 1) + dt.timedelta(days=n) for n in range(10_000))


def _member() -> dict[str, str]:
    born = next(_born)
    return person(born) | {"hetu": make_hetu(born, 321)}


def _oid(n: int) -> str:
    return f"1.2.246.562.15.{n:011d}"


@pytest.fixture
def ledger(engine: Engine) -> ExportLedger:
    """Two years of records:

    - 1138, a course ending 20.11.2025: two sent (one keskeytynyt), one sent and then
      invalidated on 10.1.2026, one refused by KOSKI (never held);
    - 1138, a course ending 20.11.2026: two sent (one keskeytynyt), one whose participant
      ended on 15.12.2025 (a record of 2025), one invalidated on 31.12.2026 at 23.30 UTC
      (already 1.1.2027 in Finland), one invalidated on 5.3.2026 and sent again (held now);
    - 2001, a course ending 1.6.2026: one sent, one withheld (no consent).
    """
    built = ExportLedger(engine)
    old = built.course("syksy-2025", end=dt.date(2025, 11, 20))
    new = built.course("syksy-2026", end=dt.date(2026, 11, 20))
    other = built.course("kevat-2026", opintokokonaisuus="2001", end=dt.date(2026, 6, 1))
    n = iter(range(1, 100))

    def record(
        code: str, course_id: int, status: str = "completed", ended_on: dt.date | None = None
    ) -> Entry:
        entry = built.participant(code, course_id, _member(), status=status, ended_on=ended_on)
        return built.sent(entry, _oid(next(n)))

    record("syksy-2025", old)
    record("syksy-2025", old, status="interrupted")
    gone = record("syksy-2025", old)
    built.invalidated(gone, dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC))
    refused = built.submission(built.participant("syksy-2025", old, _member()))
    built.change(refused, SubmissionChange(state=SubmissionState.FAILED, last_status=400))
    record("syksy-2026", new)
    record("syksy-2026", new, status="interrupted")
    record("syksy-2026", new, ended_on=dt.date(2025, 12, 15))
    late = record("syksy-2026", new)
    built.invalidated(late, dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC))
    again = record("syksy-2026", new)
    built.invalidated(again, dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC))
    resent = SubmissionChange(state=SubmissionState.SENT, oid=_oid(99), versionumero=1)
    built.change(again, resent)
    record("kevat-2026", other)
    built.participant("kevat-2026", other, _member(), consent=None, binding="no_consent")
    return built


EXPECTED_2025 = {"1138": {"sent": 3, "interrupted": 1, "invalidated": 0}}
EXPECTED_2026 = {
    "1138": {"sent": 3, "interrupted": 1, "invalidated": 2},
    "2001": {"sent": 1, "interrupted": 0, "invalidated": 0},
}


def _tokens(engine: Engine) -> dict[str, str]:
    token = SqlStaffTokens(engine, utc_now).create("v", Role.VIEWER)
    return {"Authorization": f"Bearer {token}"}


def _by_code(answer: dict[str, object]) -> dict[str, dict[str, int]]:
    rows = answer["opintokokonaisuudet"]
    assert isinstance(rows, list)
    return {
        r["opintokokonaisuus"]: {k: r[k] for k in ("sent", "interrupted", "invalidated")}
        for r in rows
    }


def test_the_api_counts_each_year_by_the_participants_end_date_and_the_invalidations_day(
    app_client: FlaskClient, ledger: ExportLedger, engine: Engine
) -> None:
    headers = _tokens(engine)
    for year, expected in ((2025, EXPECTED_2025), (2026, EXPECTED_2026)):
        answer = app_client.get(f"/api/summary?year={year}", headers=headers)
        assert answer.status_code == 200
        assert answer.json is not None
        assert answer.json["year"] == year
        assert _by_code(answer.json) == expected
    newyear = app_client.get("/api/summary?year=2027", headers=headers).json
    assert newyear is not None
    assert _by_code(newyear) == {"1138": {"sent": 0, "interrupted": 0, "invalidated": 1}}
    assert app_client.get("/api/summary?year=1999", headers=headers).status_code == 400
    assert app_client.get("/api/summary?year=x&format=csv", headers=headers).status_code == 400


def test_the_summary_page_and_its_csv_and_xlsx_show_the_same_counts_and_no_person(
    app_client: FlaskClient, ledger: ExportLedger
) -> None:
    login(app_client, Role.VIEWER)
    assert 'href="/staff/summary"' in app_client.get("/staff/courses").text
    page = app_client.get("/staff/summary?year=2026")
    assert page.status_code == 200
    assert '<th scope="row">1138</th><td>3</td><td>1</td><td>2</td>' in page.text
    response = app_client.get("/staff/summary?year=2026&format=csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="yhteenveto-2026.csv"'
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert lines == [
        ["Opintokokonaisuus", "KOSKIssa", "joista keskeytyneitä", "Mitätöity vuoden aikana"],
        ["1138", "3", "1", "2"],
        ["2001", "1", "0", "0"],
    ]
    xlsx = app_client.get("/staff/summary?year=2025&format=xlsx").data
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    assert list(sheet.iter_rows(2, values_only=True)) == [("1138", 3, 1, 0)]
    bad = app_client.get("/staff/summary?year=20x6")
    assert bad.status_code == 400
    assert "Anna vuosi väliltä 2000–2099." in bad.text


def test_the_command_writes_the_summary(
    ledger: ExportLedger, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    out = tmp_path / "yhteenveto.csv"
    assert main(["export", "summary", "2026", "--out", str(out)]) == 0
    assert out.read_text("utf-8-sig").splitlines()[1] == '"1138";"3";"1";"2"'
    assert main(["export", "summary", "1999", "--out", str(out)]) == 2
