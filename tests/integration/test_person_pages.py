"""A person's requests on the staff pages: the staff role sees and downloads everything held
about a person (hetu in the form body only), removes a result and deletes a contact, each
audited; a viewer can do none of it."""

from __future__ import annotations

import datetime as dt
import json

from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.enrolments import SqlEnrolments
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.tables import AuditRow
from consent.config import Settings
from consent.enrolments import EnrolmentRow
from consent.hetu import Hetu
from consent.model import Person
from consent.staff import Role
from tests.integration.test_staff_pages import (
    ADULT,
    app_client,
    consent,
    create_course,
    login,
    post,
    status_of,
    token,
    upload_and_confirm,
)

__all__ = ["app_client"]  # the fixture, shared with the other pages' tests
PAGE = "/staff/person"


def audited(engine: Engine, action: str) -> list[AuditRow]:
    with Session(engine) as session:
        query = select(AuditRow).where(AuditRow.action == action).order_by(AuditRow.id)
        return list(session.execute(query).scalars())


def enrolled(engine: Engine) -> tuple[SqlEnrolments, int]:
    """ADULT enrolled to sign for themself, with a contact; the store and the enrolment id."""
    cipher = AesGcmCipher(Settings.from_env({}).pii_keys)
    enrolments = SqlEnrolments(engine, cipher, utc_now)
    adult = Person(Hetu(ADULT["hetu"]), ADULT["first_names"], ADULT["last_name"])
    contact = {"email": "aino@example.invalid"}
    expires = utc_now() + dt.timedelta(days=30)
    (enrolment_id,), _ = enrolments.enrol(
        "eratauko-2026", [EnrolmentRow(adult, adult, contact)], expires, "test"
    )
    return enrolments, enrolment_id


def test_staff_see_and_download_what_is_held_about_a_person_and_each_look_is_audited(
    app_client: FlaskClient, engine: Engine
) -> None:
    login(app_client)
    create_course(app_client)
    consent(app_client, engine, ADULT, "msg_adult")
    upload_and_confirm(app_client, [ADULT])
    assert app_client.get(PAGE).status_code == 200
    shown = post(app_client, PAGE, {"hetu": ADULT["hetu"], "format": "html"}, PAGE)
    assert shown.startswith("200 ")
    assert "eratauko-2026" in shown
    assert "Virtanen" in shown
    response = app_client.post(
        PAGE,
        data={"csrf_token": _token(app_client), "hetu": ADULT["hetu"], "format": "json"},
    )
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert ADULT["hetu"] not in response.headers["Content-Disposition"]
    document = json.loads(response.data)
    assert [r["course_code"] for r in document["results"]] == ["eratauko-2026"]
    response = app_client.post(
        PAGE,
        data={"csrf_token": _token(app_client), "hetu": ADULT["hetu"], "format": "pdf"},
    )
    assert response.data.startswith(b"%PDF-")
    assert [a.actor for a in audited(engine, "person.exported")] == ["staff:staff"] * 3


def test_a_bad_hetu_gets_a_clear_answer_and_an_unknown_oppijanumero_finds_nobody(
    app_client: FlaskClient,
) -> None:
    login(app_client)
    bad = post(app_client, PAGE, {"hetu": "010190-1234"}, PAGE)
    assert bad.startswith("400 ")
    oid = post(app_client, PAGE, {"hetu": "1.2.246.562.24.00000000001"}, PAGE)
    assert oid.startswith("200 ")  # looked up by oppijanumero: nobody without a hetu held
    assert "Rekisterissä ei ole tietoja tästä henkilöstä." in oid


def test_staff_remove_a_result_and_delete_a_contact_from_the_person_page(
    app_client: FlaskClient, engine: Engine
) -> None:
    login(app_client)
    create_course(app_client)
    upload_and_confirm(app_client, [ADULT])  # no consent: nothing of it goes to KOSKI
    [row] = status_of(engine)
    removal = f"/staff/results/{row['result_id']}/remove"
    assert post(app_client, removal, {}, PAGE).startswith("400 ")  # no reason chosen
    done = post(app_client, removal, {"reason": "wrong_person"}, PAGE)
    assert done.startswith(f"302 {PAGE}")
    assert status_of(engine) == []
    [entry] = audited(engine, "result.removed")
    assert (entry.actor, (entry.details or {})["reason"]) == ("staff:staff", "wrong_person")
    enrolments, enrolment_id = enrolled(engine)
    deleted = post(app_client, f"/staff/enrolments/{enrolment_id}/delete-contact", {}, PAGE)
    assert deleted.startswith(f"302 {PAGE}")
    assert enrolments.get(enrolment_id).contact == {}
    assert [a.actor for a in audited(engine, "enrolment.contact_deleted")] == ["staff:staff"]


def test_a_viewer_can_neither_look_a_person_up_nor_change_their_data(
    app_client: FlaskClient, engine: Engine
) -> None:
    login(app_client)
    create_course(app_client)
    upload_and_confirm(app_client, [ADULT])
    [row] = status_of(engine)
    _, enrolment_id = enrolled(engine)
    app_client.post("/staff/logout", data={"csrf_token": _token(app_client)})
    login(app_client, Role.VIEWER)
    assert app_client.get(PAGE).status_code == 403
    courses = "/staff/courses"
    assert post(app_client, PAGE, {"hetu": ADULT["hetu"]}, courses).startswith("403 ")
    removal = f"/staff/results/{row['result_id']}/remove"
    assert post(app_client, removal, {"reason": "wrong_person"}, courses).startswith("403 ")
    contact = f"/staff/enrolments/{enrolment_id}/delete-contact"
    assert post(app_client, contact, {}, courses).startswith("403 ")
    assert len(status_of(engine)) == 1
    assert audited(engine, "person.exported") == []
    assert audited(engine, "enrolment.contact_deleted") == []


def _token(client: FlaskClient) -> str:
    return token(client, "/staff/courses")


def test_no_staff_page_showing_a_person_is_kept_by_the_browser(
    app_client: FlaskClient, engine: Engine
) -> None:
    login(app_client)
    create_course(app_client)
    consent(app_client, engine, ADULT, "msg_adult")
    upload_and_confirm(app_client, [ADULT])
    shown = app_client.post(
        PAGE, data={"csrf_token": _token(app_client), "hetu": ADULT["hetu"], "format": "html"}
    )
    assert "Virtanen" in shown.text
    assert shown.headers["Cache-Control"] == "no-store"
    course = app_client.get("/staff/courses/eratauko-2026")
    assert course.status_code == 200
    assert course.headers["Cache-Control"] == "no-store"
