"""No answer of the staff API echoes a hetu a caller put in a course code, a part code, an
address or a request header; an unknown course is a 404 that quotes nothing; and no course's
free text (names, confirmer, part names and descriptions) may hold a hetu, by the API or the
staff pages' course form."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from typing import Any

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import Engine, text

from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.config import Settings
from consent.courses import parse_course
from consent.errors import InvalidCourse
from consent.hetu import HETU_SHAPE
from consent.staff import Role
from tests.courses import COURSE_FORM, course_doc
from tests.hetus import make_hetu
from web.app import create_app

HETU = make_hetu(dt.date(1990, 1, 1))
HETU_SHAPED_CODES = [HETU, HETU.lower(), f"kurssi{HETU}", f"k-{HETU.lower()}-2026"]
SHAPES = ["a hetu", "lower-case", "glued", "inside"]
# Every free-text field of a course, as the API's document and the course form name it.
FREE_TEXT = [
    "name.fi",
    "name.sv",
    "name.en",
    "confirmer.name",
    "confirmer.title",
    "parts.0.name",
    "parts.0.description",
    "parts.1.description",
]
PASSWORD = "pitkä-ja-hyvä-salasana"


@pytest.fixture
def api(engine: Engine, redis_client: redis.Redis) -> FlaskClient:
    """The staff API on the local defaults (the signing connector configured)."""
    return create_app(Settings.from_env({}), engine=engine, broker=redis_client).test_client()


@pytest.fixture
def staff(engine: Engine) -> dict[str, str]:
    token = SqlStaffTokens(engine, utc_now).create(f"staff-{os.urandom(4).hex()}", Role.STAFF)
    return {"Authorization": f"Bearer {token}"}


def echoes_nothing(text: str, *quoted: str) -> bool:
    return (
        not HETU_SHAPE.search(text) and HETU[:6] not in text and not any(q in text for q in quoted)
    )


@pytest.mark.parametrize("code", HETU_SHAPED_CODES, ids=SHAPES)
def test_a_course_code_shaped_like_a_hetu_is_refused_at_parse_time_naming_the_field(
    code: str,
) -> None:
    with pytest.raises(InvalidCourse) as refused:
        parse_course(course_doc(code=code))
    assert refused.value.field == "code"
    assert echoes_nothing(str(refused.value))


@pytest.mark.parametrize("code", HETU_SHAPED_CODES, ids=SHAPES)
def test_a_part_code_shaped_like_a_hetu_is_refused_at_parse_time_naming_the_field(
    code: str,
) -> None:
    doc = course_doc()
    doc["parts"][1]["code"] = code
    with pytest.raises(InvalidCourse) as refused:
        parse_course(doc)
    assert refused.value.field == "parts.1.code"
    assert echoes_nothing(str(refused.value))


@pytest.mark.parametrize("code", HETU_SHAPED_CODES, ids=SHAPES)
@pytest.mark.parametrize(
    ("method", "suffix"),
    [("put", ""), ("get", "/status"), ("get", "/enrolments"), ("post", "/results")],
)
def test_a_course_address_shaped_like_a_hetu_is_a_404_that_echoes_nothing(
    api: FlaskClient, staff: dict[str, str], code: str, method: str, suffix: str
) -> None:
    answer = getattr(api, method)(
        f"/api/courses/{code}{suffix}", json=course_doc(code=code), headers=staff
    )
    assert answer.status_code == 404
    assert echoes_nothing(answer.get_data(as_text=True))


def test_a_part_code_shaped_like_a_hetu_is_a_422_that_stores_nothing(
    api: FlaskClient, staff: dict[str, str]
) -> None:
    doc = course_doc()
    doc["parts"][0]["code"] = HETU.lower()
    answer = api.put("/api/courses/knoppi-2026-syksy", json=doc, headers=staff)
    assert answer.status_code == 422
    assert answer.json is not None
    assert [e["field"] for e in answer.json["errors"]] == ["parts.0.code"]
    assert echoes_nothing(answer.get_data(as_text=True))
    assert api.get("/api/courses/knoppi-2026-syksy/status", headers=staff).status_code == 404


@pytest.mark.parametrize("suffix", ["/status", "/enrolments"])
def test_an_unknown_course_is_a_404_that_does_not_quote_its_code(
    api: FlaskClient, staff: dict[str, str], suffix: str
) -> None:
    answer = api.get(f"/api/courses/ei-ole-2026{suffix}", headers=staff)
    assert answer.status_code == 404
    assert answer.json is not None
    assert answer.json["detail"] == "No such course."
    assert echoes_nothing(answer.get_data(as_text=True), "ei-ole-2026")


def test_a_known_course_s_enrolments_are_listed(api: FlaskClient, staff: dict[str, str]) -> None:
    assert (
        api.put("/api/courses/knoppi-2026-syksy", json=course_doc(), headers=staff).status_code
        == 200
    )
    answer = api.get("/api/courses/knoppi-2026-syksy/enrolments", headers=staff)
    assert answer.json == {"course": "knoppi-2026-syksy", "enrolments": []}


def test_an_offered_request_id_holding_a_hetu_is_neither_echoed_nor_logged(
    api: FlaskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    answer = api.post(
        "/webhooks/signing",
        data=b"{}",
        content_type="application/json",
        headers={"X-Request-Id": f"id{HETU}z"},
    )
    assert answer.status_code == 401  # unsigned: refused, and logged with the request id
    assert echoes_nothing(answer.headers["X-Request-Id"])
    lines = [
        json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")
    ]
    assert [line["request_id"] for line in lines] == [answer.headers["X-Request-Id"]]
    for line in lines:
        assert echoes_nothing(json.dumps(line)), line


def with_text(doc: dict[str, Any], field: str, value: str) -> dict[str, Any]:
    """``doc`` with the free-text ``field`` (``parts.0.name``, ``name.fi``) set to ``value``."""
    *path, last = field.split(".")
    target: Any = doc
    for step in path:
        target = target[int(step)] if step.isdigit() else target[step]
    target[last] = value
    return doc


@pytest.mark.parametrize("field", FREE_TEXT)
@pytest.mark.parametrize("value", HETU_SHAPED_CODES, ids=SHAPES)
def test_a_hetu_in_a_course_s_free_text_is_refused_at_parse_time_naming_the_field(
    field: str, value: str
) -> None:
    with pytest.raises(InvalidCourse) as refused:
        parse_course(with_text(course_doc(), field, f"Kurssi {value}"))
    assert refused.value.field == field
    assert refused.value.reason == "must not hold a henkilötunnus"
    assert echoes_nothing(str(refused.value))


@pytest.mark.parametrize("field", FREE_TEXT)
def test_a_hetu_in_a_course_s_free_text_is_a_422_naming_the_field_that_stores_nothing(
    api: FlaskClient, staff: dict[str, str], field: str
) -> None:
    doc = with_text(course_doc(), field, f"Kurssi {HETU.lower()}")
    answer = api.put("/api/courses/knoppi-2026-syksy", json=doc, headers=staff)
    assert answer.status_code == 422
    assert answer.json is not None
    assert answer.json["errors"] == [{"field": field, "reason": "must not hold a henkilötunnus"}]
    assert echoes_nothing(answer.get_data(as_text=True))
    assert api.get("/api/courses/knoppi-2026-syksy/status", headers=staff).status_code == 404


def test_a_course_whose_free_text_holds_no_hetu_is_stored(
    api: FlaskClient, staff: dict[str, str]
) -> None:
    doc = with_text(course_doc(), "name.en", "Basics of visual expression 2026-12")
    doc = with_text(doc, "parts.1.description", "Öljy- ja vesivärit, 010190 tuntia")
    answer = api.put("/api/courses/knoppi-2026-syksy", json=doc, headers=staff)
    assert answer.status_code == 200, answer.get_data(as_text=True)


@pytest.fixture
def pages(engine: Engine, redis_client: redis.Redis) -> FlaskClient:
    """The staff pages, logged in as a staff member."""
    SqlStaffAccounts(engine, utc_now).create("staff", PASSWORD, Role.STAFF)
    client = create_app(Settings.from_env({}), engine=engine, broker=redis_client).test_client()
    data = {"csrf_token": form_token(client, "/staff/login"), "username": "staff"}
    assert client.post("/staff/login", data={**data, "password": PASSWORD}).status_code == 302
    return client


def form_token(client: FlaskClient, page: str) -> str:
    """The CSRF token the page's forms carry."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("field", FREE_TEXT[:-1])
def test_a_hetu_typed_into_a_course_s_free_text_is_a_form_error_naming_it_and_stores_nothing(
    pages: FlaskClient, engine: Engine, field: str
) -> None:
    part = {"parts.0.code": "osa-1", "parts.0.name": "Osa", "parts.0.laajuus_op": "1,5"}
    data = {"csrf_token": form_token(pages, "/staff/courses/new"), **COURSE_FORM, **part}
    data[field] = f"Kurssi {HETU}"
    response = pages.post("/staff/courses/new", data=data)
    assert response.status_code == 400, response.text[:300]
    error = re.search(rf'id="f-{field.replace(".", "-")}-error">([^<]*)<', response.text)
    assert error is not None
    assert error.group(1) == "ei saa sisältää henkilötunnusta"
    assert HETU_SHAPE.search(response.text) is None
    assert HETU[:6] not in response.text
    assert "Kurssi [hetu]" in response.text
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM courses")).scalar_one() == 0


def test_a_hetu_shaped_part_code_on_the_course_form_is_refused_in_finnish(
    pages: FlaskClient,
) -> None:
    part = {"parts.0.code": f"osa-{HETU}", "parts.0.name": "Osa", "parts.0.laajuus_op": "1,5"}
    data = {"csrf_token": form_token(pages, "/staff/courses/new"), **COURSE_FORM, **part}
    response = pages.post("/staff/courses/new", data=data)
    assert response.status_code == 400, response.text[:300]
    error = re.search(r'id="f-parts-0-code-error">([^<]*)<', response.text)
    assert error is not None
    assert error.group(1) == "ei saa näyttää henkilötunnukselta"
    assert HETU_SHAPE.search(response.text) is None
