"""The course page's "record a consent" form, on SQLite and PostgreSQL: a paper consent with
its scanned PDF recorded and shown as recorded by staff; a refusal shown on the form, in
Finnish, naming the field, with nothing recorded; a viewer may not record."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from consent.adapters.sql.tables import ConsentRow
from consent.staff import Role
from tests.hetus import make_hetu
from tests.integration.test_staff_pages import app_client, create_course, login, post

__all__ = ["app_client"]
COURSE = "/staff/courses/eratauko-2026"
FORM = f"{COURSE}/consents/new"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def fields(**changes: object) -> dict[str, object]:
    filled: dict[str, object] = {
        "hetu": make_hetu(dt.date(1990, 5, 5)),
        "first_names": "Aino",
        "last_name": "Virtanen",
        "signed_by": "participant",
        "signed_on": "1.9.2026",
        "pdf": (BytesIO(PDF), "lomake.pdf"),
    }
    return {**filled, **changes}


def consents(engine: Engine) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(ConsentRow)).scalar_one()


def test_staff_record_a_paper_consent_and_the_course_page_says_so(
    app_client: FlaskClient, engine: Engine
) -> None:
    login(app_client)
    create_course(app_client)
    assert 'id="record-consent"' in app_client.get(COURSE).text
    assert post(app_client, FORM, fields(), FORM).startswith(f"302 {COURSE}")
    page = app_client.get(COURSE).text
    assert "Suostumus kirjattu." in page
    assert "kirjattu paperilta" in page
    assert consents(engine) == 1


def test_a_minor_recorded_as_signing_alone_is_refused_on_the_form_in_finnish(
    app_client: FlaskClient, engine: Engine
) -> None:
    login(app_client)
    create_course(app_client)
    minor = make_hetu(dt.date(2012, 4, 4))
    answer = post(app_client, FORM, fields(hetu=minor), FORM)
    assert answer.startswith("400 ")
    assert "Allekirjoittaja: osallistuja on allekirjoituspäivänä alle 18-vuotias" in answer
    assert consents(engine) == 0


def test_a_file_that_is_no_pdf_is_refused_on_the_form(
    app_client: FlaskClient, engine: Engine
) -> None:
    login(app_client)
    create_course(app_client)
    answer = post(app_client, FORM, fields(pdf=(BytesIO(b"just text"), "lomake.pdf")), FORM)
    assert answer.startswith("400 ")
    assert "Skannattu lomake (PDF): pitää olla PDF-tiedosto" in answer
    assert consents(engine) == 0


def test_a_viewer_may_not_record_a_consent(app_client: FlaskClient, engine: Engine) -> None:
    login(app_client)
    create_course(app_client)
    app_client.post("/staff/logout", data={})
    viewer = app_client.application.test_client()
    login(viewer, Role.VIEWER)
    assert viewer.get(FORM).status_code == 403
    assert consents(engine) == 0
