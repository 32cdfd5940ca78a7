"""The staff API: tokens and roles, courses, result imports, status, revocation, invalidation."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import Engine

from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.config import Settings
from consent.staff import Role
from tests.courses import course_doc
from tests.hetus import make_hetu
from tests.signing import person
from web.app import create_app

ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")


@pytest.fixture
def tokens(engine: Engine) -> dict[Role, str]:
    store = SqlStaffTokens(engine, utc_now)
    return {role: store.create(f"{role.value}-person", role) for role in Role}


@pytest.fixture
def api(engine: Engine, redis_client: redis.Redis, koski_settings: Settings) -> FlaskClient:
    """The staff API on the real ledger and Redis, sending to a KOSKI sandbox."""
    return create_app(koski_settings, engine=engine, broker=redis_client).test_client()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_without_a_valid_token_every_endpoint_is_401(api: FlaskClient) -> None:
    for method, path in [
        ("get", "/api/courses/x/status"),
        ("put", "/api/courses/x"),
        ("post", "/api/consents/1/revoke"),
    ]:
        response = getattr(api, method)(path)
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
    assert api.get("/api/courses/x/status", headers=auth("vst_not-a-token")).status_code == 401


def test_a_revoked_token_no_longer_works(
    api: FlaskClient, engine: Engine, tokens: dict[Role, str]
) -> None:
    SqlStaffTokens(engine, utc_now).revoke("staff-person")
    assert (
        api.put(
            "/api/courses/knoppi-2026-syksy", json=course_doc(), headers=auth(tokens[Role.STAFF])
        ).status_code
        == 401
    )


def test_a_viewer_may_read_but_not_change(api: FlaskClient, tokens: dict[Role, str]) -> None:
    response = api.put(
        "/api/courses/knoppi-2026-syksy", json=course_doc(), headers=auth(tokens[Role.VIEWER])
    )
    assert response.status_code == 403
    assert (
        api.put(
            "/api/courses/knoppi-2026-syksy", json=course_doc(), headers=auth(tokens[Role.STAFF])
        ).status_code
        == 200
    )
    assert (
        api.get(
            "/api/courses/knoppi-2026-syksy/status", headers=auth(tokens[Role.VIEWER])
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("changes", "field", "status"),
    [
        ({"opintokokonaisuus": "113"}, "opintokokonaisuus", 400),
        ({"laajuus_op": 0}, "laajuus_op", 400),
        ({"laajuus_op": 2.0}, "parts", 422),  # well-formed, but the parts do not add up
        ({"oppilaitos_oid": "1.2.3"}, "oppilaitos_oid", 400),
        ({"code": "other"}, "code", 422),  # well-formed, but not the address's code
    ],
)
def test_an_invalid_course_is_refused_naming_the_field(
    api: FlaskClient,
    tokens: dict[Role, str],
    changes: dict[str, object],
    field: str,
    status: int,
) -> None:
    response = api.put(
        "/api/courses/knoppi-2026-syksy",
        json=course_doc(**changes),
        headers=auth(tokens[Role.STAFF]),
    )
    assert response.status_code == status
    assert [e["field"] for e in response.get_json()["errors"]] == [field]


def test_results_import_by_json_and_csv_with_status_masked(
    api: FlaskClient, tokens: dict[Role, str]
) -> None:
    staff = auth(tokens[Role.STAFF])
    api.put("/api/courses/knoppi-2026-syksy", json=course_doc(), headers=staff)
    rows = [
        {
            "hetu": ADULT["hetu"],
            "grade": "hyväksytty",
            "graded_on": "2026-11-01",
            "first_names": "Aino",
            "last_name": "Virtanen",
        }
    ]
    response = api.post("/api/courses/knoppi-2026-syksy/results", json=rows, headers=staff)
    assert response.get_json() == {"changed": 1, "unchanged": 0}
    csv = "hetu,grade,graded_on,first_names,last_name\n"
    csv += f"{ADULT['hetu']},hyväksytty,2026-11-01,Aino,Virtanen\n"
    response = api.post(
        "/api/courses/knoppi-2026-syksy/results",
        data=csv.encode(),
        content_type="text/csv",
        headers=staff,
    )
    assert response.get_json() == {"changed": 0, "unchanged": 1}
    status = api.get("/api/courses/knoppi-2026-syksy/status", headers=staff)
    [row] = status.get_json()["participants"]
    assert row["participant"] == {"hetu": "******" + ADULT["hetu"][6:], "name": "A. V."}
    assert row["binding"] == "pending"
    assert ADULT["hetu"] not in status.get_data(as_text=True)
    one = api.post(
        "/api/courses/knoppi-2026-syksy/status/person", json={"hetu": ADULT["hetu"]}, headers=staff
    )
    assert one.get_json()["participants"][0]["participant"] == {
        "hetu": ADULT["hetu"],
        "name": "Aino Virtanen",
    }


def test_a_bad_results_file_is_refused_row_by_row(
    api: FlaskClient, tokens: dict[Role, str]
) -> None:
    staff = auth(tokens[Role.STAFF])
    api.put("/api/courses/knoppi-2026-syksy", json=course_doc(), headers=staff)
    wrong = ADULT["hetu"][:-1] + ("0" if ADULT["hetu"][-1] != "0" else "1")
    rows = [
        {"hetu": wrong, "grade": "hyväksytty", "graded_on": "2026-11-01"},
        {"hetu": ADULT["hetu"], "graded_on": "yesterday"},
    ]
    response = api.post("/api/courses/knoppi-2026-syksy/results", json=rows, headers=staff)
    assert response.status_code == 422  # well-formed rows that break the rules
    assert response.get_json()["errors"] == [
        {"row": 1, "field": "hetu", "reason": "wrong check character"},
        {"row": 2, "field": "grade", "reason": "is required"},
    ]
    assert wrong not in response.get_data(as_text=True)


def test_unknown_courses_consents_and_submissions_are_404(
    api: FlaskClient, tokens: dict[Role, str]
) -> None:
    staff = auth(tokens[Role.STAFF])
    assert api.get("/api/courses/nope/status", headers=staff).status_code == 404
    assert api.post("/api/courses/nope/results", json=[], headers=staff).status_code == 404
    assert api.post("/api/consents/999/revoke", headers=staff).status_code == 404
    assert api.post("/api/submissions/999/invalidate", headers=staff).status_code == 404


def test_a_large_results_file_is_accepted(api: FlaskClient, tokens: dict[Role, str]) -> None:
    staff = auth(tokens[Role.STAFF])
    api.put("/api/courses/knoppi-2026-syksy", json=course_doc(), headers=staff)
    rows = "".join(
        f"{make_hetu(dt.date(1970, 1, 1) + dt.timedelta(days=n))},hyväksytty,2026-11-01\n"
        for n in range(3000)
    )
    body = ("hetu,grade,graded_on\n" + rows).encode()
    assert len(body) > 64 * 1024
    response = api.post(
        "/api/courses/knoppi-2026-syksy/results", data=body, content_type="text/csv", headers=staff
    )
    assert response.get_json() == {"changed": 3000, "unchanged": 0}


def test_a_course_extent_that_is_not_a_number_is_refused_not_a_500(
    api: FlaskClient, tokens: dict[Role, str]
) -> None:
    body = json.dumps(course_doc()).replace('"laajuus_op": 1.5', '"laajuus_op": NaN', 1)
    assert "NaN" in body
    response = api.put(
        "/api/courses/knoppi-2026-syksy",
        data=body,
        content_type="application/json",
        headers=auth(tokens[Role.STAFF]),
    )
    assert response.status_code == 400
    assert response.json is not None
    assert response.json["errors"] == [{"field": "(body)", "reason": "NaN is not JSON"}]


def test_staff_enrol_participants_for_signing_and_see_them_masked(
    api: FlaskClient, tokens: dict[Role, str], redis_client: redis.Redis
) -> None:
    minor = person(dt.date(2011, 4, 4), "Onni", "Korhonen")
    body = (
        "hetu,first_names,last_name,email,guardian_hetu,guardian_first_names,guardian_last_name\n"
        f"{ADULT['hetu']},Aino,Virtanen,aino@example.fi,,,\n"
        f"{minor['hetu']},Onni,Korhonen,,{make_hetu(dt.date(1980, 2, 2))},Maija,Korhonen\n"
    )
    path = "/api/courses/knoppi-2026-syksy/enrolments"
    viewer = api.post(path, data=body, content_type="text/csv", headers=auth(tokens[Role.VIEWER]))
    assert viewer.status_code == 403
    staff = auth(tokens[Role.STAFF])
    assert api.post(path, data=body, content_type="text/csv", headers=staff).status_code == 404
    assert (
        api.put("/api/courses/knoppi-2026-syksy", json=course_doc(), headers=staff).status_code
        == 200
    )
    response = api.post(path, data=body, content_type="text/csv", headers=staff)
    assert (response.status_code, response.json) == (200, {"enrolled": 2, "enrolled_before": 0})
    again = api.post(path, data=body, content_type="text/csv", headers=staff)
    assert again.json == {"enrolled": 0, "enrolled_before": 2}
    assert redis_client.exists("rq:job:invite-1", "rq:job:invite-2") == 2
    listing = api.get(path, headers=staff)
    assert listing.json is not None
    rows = listing.json["enrolments"]
    assert [(r["state"], r["guardian_signs"]) for r in rows] == [("new", False), ("new", True)]
    assert ADULT["hetu"] not in listing.text


def test_an_enrolment_file_with_a_bad_row_enrols_nobody(
    api: FlaskClient, tokens: dict[Role, str]
) -> None:
    body = f"hetu,first_names,last_name\n{ADULT['hetu']},Aino,\n"
    path = "/api/courses/knoppi-2026-syksy/enrolments"
    staff = auth(tokens[Role.STAFF])
    assert (
        api.put("/api/courses/knoppi-2026-syksy", json=course_doc(), headers=staff).status_code
        == 200
    )
    response = api.post(path, data=body, content_type="text/csv", headers=staff)
    assert response.status_code == 422  # a well-formed file whose row breaks the rules
    assert response.json is not None
    assert response.json["errors"] == [
        {"row": 1, "field": "last_name", "reason": "is required (at most 200 characters)"}
    ]
    listing = api.get(path, headers=auth(tokens[Role.STAFF]))
    assert listing.json is not None
    assert listing.json["enrolments"] == []


def test_an_id_too_long_for_the_database_is_404_not_a_500(
    api: FlaskClient, tokens: dict[Role, str]
) -> None:
    staff = auth(tokens[Role.STAFF])
    huge = "79630389018193313792"  # found by schemathesis: SQLite and PostgreSQL refused to bind it
    assert api.post(f"/api/submissions/{huge}/invalidate", headers=staff).status_code == 404
    assert api.post(f"/api/consents/{huge}/revoke", headers=staff).status_code == 404
