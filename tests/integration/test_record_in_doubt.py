"""What staff see of a record in doubt and of a refused course edit, through the API and the
pages (SQLite, PostgreSQL): the reason in Finnish, the invalidation one action away, and the
oppilaitos refusal saying what to do."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import Engine

from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.staff import Role
from tests.courses import course, course_doc
from tests.integration import test_grading, test_send_again
from tests.integration.test_grading import ADULT, World, row
from tests.integration.test_staff_pages import GOOD_PASSWORD, token
from web.staff_pages.course_form import values_of

world = test_grading.world  # the same fixtures: a ledger, its queues and the sandbox
cipher = test_send_again.cipher
web = test_send_again.web
CODE = "knoppi-2026-syksy"
PAGE = f"/staff/courses/{CODE}"
ELSEWHERE = "1.2.246.562.10.99999999999"


def sent(world: World) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    world.work()


def logged_in(web: FlaskClient) -> FlaskClient:
    data = {"csrf_token": token(web), "username": "staff", "password": GOOD_PASSWORD}
    assert web.post("/staff/login", data=data).status_code == 302
    return web


def test_a_record_in_doubt_says_why_in_finnish_and_offers_its_invalidation(
    world: World, web: FlaskClient
) -> None:
    sent(world)
    world.import_rows([row(ADULT, "hylätty")])
    world.work()
    page = logged_in(web).get(PAGE).text
    assert "KOSKIssa oleva suoritus ei enää vastaa tietoja" in page
    assert "ei hyväksytty" in page  # the binding, in the trainer's words
    submission_id = world.course_status(CODE)[0]["submission"]["id"]
    assert f"/staff/submissions/{submission_id}/invalidate" in page


def test_the_api_refuses_a_new_oppilaitos_while_koski_holds_records(
    world: World, engine: Engine, web: FlaskClient
) -> None:
    sent(world)
    headers = {
        "Authorization": f"Bearer {SqlStaffTokens(engine, utc_now).create('aino', Role.STAFF)}"
    }
    moved = course_doc(end_date="2026-12-15", oppilaitos_oid=ELSEWHERE)
    answer = web.put(f"/api/courses/{CODE}", json=moved, headers=headers)
    assert answer.status_code == 409
    assert answer.json is not None
    assert [e["field"] for e in answer.json["errors"]] == ["oppilaitos_oid"]


def test_the_course_form_says_why_the_oppilaitos_cannot_change(
    world: World, engine: Engine, web: FlaskClient
) -> None:
    sent(world)
    form = f"{PAGE}/edit"
    logged_in(web)
    values = values_of(course(end_date="2026-12-15")) | {"oppilaitos_oid": ELSEWHERE}
    answer = web.post(form, data={**values, "csrf_token": token(web, form)})
    assert answer.status_code == 409
    assert "Oppilaitosta ei voi vaihtaa" in answer.text
    assert SqlCourses(engine, utc_now).find_course(CODE) == course(end_date="2026-12-15")
