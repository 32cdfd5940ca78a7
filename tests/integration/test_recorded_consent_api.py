"""Recording a paper consent through the staff API and the ``vst-consent`` command, on
SQLite and PostgreSQL: the staff role only, personal data in the body or on standard input
(never in the address or the command line), each refusal naming its field."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cli.main import main
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.adapters.sql.tables import AuditRow, ConsentRow
from consent.staff import Role
from tests.conftest import REDIS_URL
from tests.hetus import make_hetu
from tests.integration import test_grading, test_send_again
from tests.oids import make_oid

world = test_grading.world
cipher = test_send_again.cipher
web = test_send_again.web
PATH = "/api/courses/knoppi-2026-syksy/consents"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def headers(engine: Engine, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {SqlStaffTokens(engine, utc_now).create('aino', role)}"}


def adult_form(**changes: str) -> dict[str, Any]:
    fields = {
        "hetu": make_hetu(dt.date(1990, 5, 5)),
        "first_names": "Aino",
        "last_name": "Virtanen",
        "signed_on": "1.9.2026",
        "pdf": base64.b64encode(PDF).decode(),
    }
    return {**fields, **changes}


def recorded(engine: Engine) -> list[tuple[str, str | None, str | None]]:
    with Session(engine) as session:
        rows = session.execute(select(ConsentRow).order_by(ConsentRow.id)).scalars()
        return [(row.state, row.signer_relation, row.recorded_by) for row in rows]


@pytest.mark.usefixtures("world")
def test_staff_record_a_paper_consent_through_the_api(engine: Engine, web: FlaskClient) -> None:
    answer = web.post(PATH, json=adult_form(), headers=headers(engine, Role.STAFF))
    assert answer.status_code == 201, answer.json
    assert answer.json is not None
    assert answer.json["relation"] == "self"
    assert recorded(engine) == [("valid", "self", "staff:aino")]
    viewer = {
        "Authorization": f"Bearer {SqlStaffTokens(engine, utc_now).create('eeva', Role.VIEWER)}"
    }
    status = web.get("/api/courses/knoppi-2026-syksy/status", headers=viewer)
    assert status.json is not None
    [row] = [r for r in status.json["participants"] if r["consent"] is not None]
    assert row["consent"]["recorded_by_staff"] is True  # the API says it came from paper


@pytest.mark.usefixtures("world")
def test_a_viewer_may_not_record_a_consent(engine: Engine, web: FlaskClient) -> None:
    answer = web.post(PATH, json=adult_form(), headers=headers(engine, Role.VIEWER))
    assert answer.status_code == 403
    assert recorded(engine) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"hetu": "", "oppijanumero": "1.2.246.562.24.91377095208", "birth_date": "3.3.1995"},
            "oppijanumero",
        ),
        ({"hetu": "", "oppijanumero": make_oid()}, "birth_date"),
        ({"pdf": base64.b64encode(b"GIF89a not a pdf").decode()}, "pdf"),
        ({"pdf": ""}, "pdf"),
        ({"signed_by": "guardian"}, "guardian_first_names"),
        ({"signed_on": "1.9.2099"}, "signed_on"),
    ],
    ids=["bad oid", "oid without birth date", "not a pdf", "no pdf", "guardian unnamed", "future"],
)
@pytest.mark.usefixtures("world")
def test_a_bad_form_is_refused_naming_its_field_and_records_nothing(
    engine: Engine, web: FlaskClient, changes: dict[str, str], field: str
) -> None:
    form = adult_form(**changes)
    answer = web.post(PATH, json=form, headers=headers(engine, Role.STAFF))
    assert answer.status_code == 422, answer.json
    assert answer.json is not None
    assert [e["field"] for e in answer.json["errors"]] == [field]
    assert form["hetu"] == "" or form["hetu"] not in answer.get_data(as_text=True)
    assert recorded(engine) == []


@pytest.mark.usefixtures("world")
def test_the_command_records_a_consent_from_stdin_and_the_pdf_file(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    scan = tmp_path / "lomake.pdf"
    scan.write_bytes(PDF)
    minor = {
        "hetu": make_hetu(dt.date(2012, 4, 4)),
        "first_names": "Onni",
        "last_name": "Korhonen",
        "signed_by": "guardian",
        "guardian_first_names": "Maija",
        "guardian_last_name": "Korhonen",
        "signed_on": "2026-09-01",
    }
    stdin = io.TextIOWrapper(io.BytesIO(json.dumps(minor).encode()))
    monkeypatch.setattr("sys.stdin", stdin)
    assert (
        main(["consents", "record", "knoppi-2026-syksy", "--pdf", str(scan), "--by", "maija"]) == 0
    )
    assert "recorded (signed by guardian)" in capsys.readouterr().out
    assert recorded(engine) == [("valid", "guardian", "staff:maija")]
    with Session(engine) as session:
        [entry] = session.execute(
            select(AuditRow).where(AuditRow.action == "consent.recorded")
        ).scalars()
    assert minor["hetu"] not in json.dumps(entry.details)
