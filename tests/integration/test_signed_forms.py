"""A consent's signed form (the PDF kept sealed) on both databases: the staff role views it
in the browser or downloads it from the participant's row, each time audited; a viewer is
refused and sees no link; a consent with no form kept is a 404."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cli.main import main
from consent.adapters.sql import purposes
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.adapters.sql.tables import AuditRow, ConsentRow
from consent.staff import Role
from tests.export_ledger import Entry, ExportLedger, cipher
from tests.integration.test_staff_pages import app_client, login, post
from tests.signing import person

__all__ = ["app_client"]
CODE = "eratauko-2026"
SIGNED = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
UNSIGNED = person(dt.date(1991, 6, 6), "Eero", "Esimerkki")
PAGE = "/staff/person"
PDF = b"%PDF-1.7\n% a signed consent form\n%%EOF\n"


@pytest.fixture
def consents(engine: Engine) -> tuple[Entry, Entry, int]:
    """Two consents on the course, only the first with its signed form kept; and the id of
    the enrolment that kept it."""
    built = ExportLedger(engine)
    course_id = built.course(CODE)
    signed = built.participant(CODE, course_id, SIGNED)
    unsigned = built.participant(CODE, course_id, UNSIGNED)
    return signed, unsigned, built.signed_form(CODE, SIGNED, PDF)


def _viewed(engine: Engine) -> list[AuditRow]:
    with Session(engine) as session:
        query = select(AuditRow).where(AuditRow.action == "consent_pdf.viewed")
        return list(session.execute(query.order_by(AuditRow.id)).scalars())


def test_staff_view_and_download_a_signed_form_and_each_look_is_audited(
    app_client: FlaskClient, engine: Engine, consents: tuple[Entry, Entry, int]
) -> None:
    signed, _, enrolment_id = consents
    login(app_client)
    path = f"/staff/consents/{signed.consent_id}/form"
    shown = app_client.get(path)
    assert shown.status_code == 200
    assert shown.data == PDF
    assert shown.headers["Content-Type"] == "application/pdf"
    name = f"suostumus-{signed.consent_id}.pdf"
    assert shown.headers["Content-Disposition"] == f'inline; filename="{name}"'
    assert shown.headers["Cache-Control"] == "no-store"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    saved = app_client.get(f"{path}/download")
    assert saved.data == PDF
    assert saved.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    entries = _viewed(engine)
    assert [(e.actor, e.subject_type, e.subject_id) for e in entries] == [
        ("staff:staff", "consent", signed.consent_id)
    ] * 2
    assert [e.details for e in entries] == [
        {"enrolment_id": enrolment_id, "download": False},
        {"enrolment_id": enrolment_id, "download": True},
    ]


def test_the_participants_row_links_the_form_for_staff_and_not_for_a_viewer(
    app_client: FlaskClient, consents: tuple[Entry, Entry, int]
) -> None:
    signed, unsigned, _ = consents
    login(app_client)
    page = app_client.get(f"/staff/courses/{CODE}").text
    assert f'href="/staff/consents/{signed.consent_id}/form"' in page
    assert f'href="/staff/consents/{signed.consent_id}/form/download"' in page
    assert f"/staff/consents/{unsigned.consent_id}/form" not in page
    login(app_client, Role.VIEWER)
    viewed = app_client.get(f"/staff/courses/{CODE}").text
    assert "Virtanen" not in viewed  # the page is the masked one
    assert f"/staff/consents/{signed.consent_id}/form" not in viewed


def test_a_viewer_is_refused_the_form_and_nothing_is_audited(
    app_client: FlaskClient, engine: Engine, consents: tuple[Entry, Entry, int]
) -> None:
    signed, _, _ = consents
    login(app_client, Role.VIEWER)
    for path in (
        f"/staff/consents/{signed.consent_id}/form",
        f"/staff/consents/{signed.consent_id}/form/download",
    ):
        refused = app_client.get(path)
        assert refused.status_code == 403
        assert PDF not in refused.data
    assert _viewed(engine) == []


def test_a_consent_with_no_form_kept_or_no_consent_at_all_is_a_404_page(
    app_client: FlaskClient, engine: Engine, consents: tuple[Entry, Entry, int]
) -> None:
    _, unsigned, _ = consents
    login(app_client)
    for consent_id in (unsigned.consent_id, 999999):
        missing = app_client.get(f"/staff/consents/{consent_id}/form")
        assert missing.status_code == 404
        assert missing.mimetype == "text/html"
        assert "Sivua ei löydy." in missing.text
    assert _viewed(engine) == []


def test_the_api_hands_the_form_to_a_staff_token_only(
    app_client: FlaskClient, engine: Engine, consents: tuple[Entry, Entry, int]
) -> None:
    signed, unsigned, _ = consents
    tokens = SqlStaffTokens(engine, utc_now)
    staff = {"Authorization": f"Bearer {tokens.create('s', Role.STAFF)}"}
    viewer = {"Authorization": f"Bearer {tokens.create('v', Role.VIEWER)}"}
    path = f"/api/consents/{signed.consent_id}/form"
    assert app_client.get(path, headers=viewer).status_code == 403
    answer = app_client.get(path, headers=staff)
    assert answer.data == PDF
    assert answer.headers["Content-Disposition"].startswith("attachment")
    assert (
        app_client.get(f"/api/consents/{unsigned.consent_id}/form", headers=staff).status_code
        == 404
    )
    assert [e.actor for e in _viewed(engine)] == ["staff:s"]


def test_a_staff_recorded_consents_scanned_form_is_served_by_the_same_route(
    app_client: FlaskClient, engine: Engine, consents: tuple[Entry, Entry, int]
) -> None:
    _, unsigned, _ = consents
    scanned = b"%PDF-1.4\n% a paper form, scanned\n%%EOF\n"
    sealed = cipher().seal_bytes(scanned, purposes.CONSENT_PDF)
    with Session(engine) as session, session.begin():
        row = session.get_one(ConsentRow, unsigned.consent_id)
        row.pdf_key_id, row.pdf_sealed = sealed.key_id, sealed.blob
    login(app_client)
    assert (
        f'href="/staff/consents/{unsigned.consent_id}/form"'
        in app_client.get(f"/staff/courses/{CODE}").text
    )
    shown = app_client.get(f"/staff/consents/{unsigned.consent_id}/form")
    assert shown.data == scanned
    [entry] = _viewed(engine)
    assert (entry.subject_id, entry.details) == (
        unsigned.consent_id,
        {"enrolment_id": None, "download": False},
    )


def test_the_person_page_links_the_persons_signed_forms(
    app_client: FlaskClient, consents: tuple[Entry, Entry, int]
) -> None:
    signed, _, _ = consents
    login(app_client)
    shown = post(app_client, "/staff/person", {"hetu": SIGNED["hetu"], "format": "html"}, PAGE)
    assert shown.startswith("200 ")
    assert f'href="/staff/consents/{signed.consent_id}/form/download"' in shown
    other = post(app_client, "/staff/person", {"hetu": UNSIGNED["hetu"], "format": "html"}, PAGE)
    assert other.startswith("200 ")
    assert "/form/download" not in other


def test_the_command_saves_a_signed_form_to_an_owner_only_file_and_audits_who_asked(
    engine: Engine,
    consents: tuple[Entry, Entry, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    signed, unsigned, _ = consents
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    out = tmp_path / "lomake.pdf"
    assert main(["export", "form", str(signed.consent_id), "--by", "sanna", "--out", str(out)]) == 0
    assert out.read_bytes() == PDF
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    missing = tmp_path / "ei.pdf"
    args = ["export", "form", str(unsigned.consent_id), "--by", "sanna", "--out", str(missing)]
    assert main(args) == 1
    assert not missing.exists()
    assert [e.actor for e in _viewed(engine)] == ["staff:sanna"]
