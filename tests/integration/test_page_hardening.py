"""Hostile addresses and links on the staff pages and the staff API, on both backends: a
malformed course code in a path is a 404 that never reaches the database, a redirect never
carries a control character, a signing link is a link only when it is a web address, and every
answer carries the security headers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from io import BytesIO

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from werkzeug.test import TestResponse

from consent import binding
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.ledger import SqlLedger, utc_now
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.config import Settings
from consent.staff import Role
from tests.courses import COURSE_FORM
from tests.hetus import make_hetu
from tests.signing import body_of, event, hmac_secret, person, signed_headers
from web.app import create_app

SECRET = hmac_secret()
PASSWORD = "pitkä-ja-hyvä-salasana"
ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
PAGE = "/staff/courses/eratauko-2026"
# Not course codes: a NUL byte (PostgreSQL refuses it in text), a newline, a carriage return,
# a leading dot, a space, a code longer than 64 characters.
MALFORMED_CODES = ("a%00b", "a%0ab", "a%0db", ".hidden", "a%20b", "a" * 65)
CONTROL_TARGETS = (
    "/staff/courses/x\r\nSet-Cookie: vst_staff=forged",
    "/staff/courses/x\nLocation: https://evil.example/",
    "/staff/courses/x\x00",
    "/staff/courses/x\t",
)
STAFF_CSP = (
    "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)


@pytest.fixture
def settings() -> Settings:
    return Settings.from_env({"SIGNING_WEBHOOK_KEYS": SECRET})


@pytest.fixture
def client(engine: Engine, redis_client: redis.Redis, settings: Settings) -> FlaskClient:
    """The web app on the real ledger and Redis, with a staff account."""
    SqlStaffAccounts(engine, utc_now).create("staff", PASSWORD, Role.STAFF)
    return create_app(settings, engine=engine, broker=redis_client).test_client()


@pytest.fixture
def api_token(engine: Engine) -> str:
    return SqlStaffTokens(engine, utc_now).create("api-person", Role.STAFF)


def csrf(client: FlaskClient, page: str = "/staff/login") -> str:
    """The CSRF token a page's forms carry."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert found is not None
    return found.group(1)


def log_in(client: FlaskClient) -> None:
    data = {"csrf_token": csrf(client), "username": "staff", "password": PASSWORD}
    assert client.post("/staff/login", data=data).status_code == 302


def create_course(client: FlaskClient) -> None:
    data = {"csrf_token": csrf(client, "/staff/courses/new"), **COURSE_FORM}
    assert client.post("/staff/courses/new", data=data).status_code == 302


def consent_id(client: FlaskClient, engine: Engine, settings: Settings) -> int:
    """The signing service posts ADULT's consent and a worker binds it; the consent's id."""
    body = body_of(event(ADULT, ADULT, course="eratauko-2026"))
    now = int(dt.datetime.now(dt.UTC).timestamp())
    headers = signed_headers(SECRET, "msg_hardening_1", now, body)
    answer = client.post(
        "/webhooks/signing", data=body, headers=headers, content_type="application/json"
    )
    assert answer.status_code == 202
    ledger = SqlLedger(engine, AesGcmCipher(settings.pii_keys), utc_now)
    binding.bind_consent(answer.json["inbox_id"], ledger, utc_now)  # type: ignore[index]  # JSON
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT id FROM consents")).scalar_one())


def assert_no_control_character_in_headers(response: TestResponse) -> None:
    for name, value in response.headers.items():
        assert not re.search(r"[\x00-\x1f\x7f]", name + value), (name, value)


def test_an_anonymous_request_for_a_malformed_course_code_is_a_404(client: FlaskClient) -> None:
    for code in MALFORMED_CODES:
        for path in (f"/staff/courses/{code}", f"/staff/courses/{code}/edit"):
            response = client.get(path)
            assert response.status_code == 404, (path, response.status_code)
            assert_no_control_character_in_headers(response)


def test_a_malformed_course_code_is_a_404_on_every_staff_page(client: FlaskClient) -> None:
    log_in(client)
    token = csrf(client, "/staff/courses")
    for code in MALFORMED_CODES:
        for path in (f"/staff/courses/{code}", f"/staff/courses/{code}/edit"):
            assert client.get(path).status_code == 404, path
        for path in (
            f"/staff/courses/{code}/edit",
            f"/staff/courses/{code}/person",
            f"/staff/courses/{code}/results",
            f"/staff/courses/{code}/results/upload-1",
            f"/staff/courses/{code}/enrolments",
        ):
            response = client.post(path, data={"csrf_token": token, "hetu": ADULT["hetu"]})
            assert response.status_code == 404, path


def test_a_malformed_upload_id_is_a_404(client: FlaskClient) -> None:
    log_in(client)
    create_course(client)
    token = csrf(client, PAGE)
    for upload_id in ("a%00b", "x" * 36, "0" * 37, "../../x"):
        response = client.post(f"{PAGE}/results/{upload_id}", data={"csrf_token": token})
        assert response.status_code == 404, (upload_id, response.status_code)


def test_a_malformed_course_code_is_a_404_on_every_staff_api_path(
    client: FlaskClient, api_token: str
) -> None:
    headers = {"Authorization": f"Bearer {api_token}"}
    for code in MALFORMED_CODES:
        for method, path in (
            ("PUT", f"/api/courses/{code}"),
            ("POST", f"/api/courses/{code}/results"),
            ("POST", f"/api/courses/{code}/enrolments"),
            ("GET", f"/api/courses/{code}/enrolments"),
            ("GET", f"/api/courses/{code}/status"),
            ("POST", f"/api/courses/{code}/status/person"),
        ):
            response = client.open(path, method=method, headers=headers, json={})
            assert response.status_code == 404, (method, path, response.status_code)
            assert response.mimetype == "application/problem+json"


def test_the_login_address_quotes_the_path_it_returns_to() -> None:
    from web.staff_pages import login_address  # noqa: PLC0415 - the function under test

    newline = login_address("/staff/courses/a\nb/edit")
    assert newline == "/staff/login?next=/staff/courses/a%0Ab/edit"
    assert login_address("/staff/courses/x?y") == "/staff/login?next=/staff/courses/x%3Fy"


def test_a_login_whose_next_address_carries_a_control_character_goes_to_the_course_list(
    client: FlaskClient,
) -> None:
    for target in CONTROL_TARGETS:
        page = client.get("/staff/login", query_string={"next": target})
        assert page.status_code == 200
        assert "evil.example" not in page.text
        assert "forged" not in page.text
        data = {"csrf_token": csrf(client), "username": "staff", "password": PASSWORD}
        response = client.post("/staff/login", data=data | {"next": target})
        assert response.status_code == 302, (target, response.status_code)
        assert response.headers["Location"] == "/staff/courses"
        assert_no_control_character_in_headers(response)
        client.post("/staff/logout", data={"csrf_token": csrf(client, "/staff/courses")})


def test_an_action_whose_back_address_carries_a_control_character_returns_to_the_course_list(
    client: FlaskClient, engine: Engine, settings: Settings
) -> None:
    log_in(client)
    create_course(client)
    revoke = f"/staff/consents/{consent_id(client, engine, settings)}/revoke"
    for target in CONTROL_TARGETS:
        page = client.get(revoke, query_string={"back": target})
        assert page.status_code == 200
        assert 'href="/staff/courses"' in page.text
        assert "forged" not in page.text
    data = {"csrf_token": csrf(client, PAGE), "notified_on": "2026-11-20"}
    response = client.post(revoke, data=data | {"back": CONTROL_TARGETS[0]})
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"] == "/staff/courses"
    assert_no_control_character_in_headers(response)


def invited_with_link(client: FlaskClient, engine: Engine, link: str) -> str:
    """ADULT invited to sign with ``link`` as the signing address; the course page."""
    enrolment = f"hetu,first_names,last_name,email\n{ADULT['hetu']},Aino,Virtanen,a@example.fi\n"
    data = {
        "csrf_token": csrf(client, PAGE),
        "file": (BytesIO(enrolment.encode()), "osallistujat.csv"),
    }
    preview = client.post(f"{PAGE}/enrolments", data=data)
    assert preview.status_code == 200
    confirm = re.search(rf'action="({PAGE}/enrolments/[^"]+)"', preview.text)
    assert confirm is not None
    assert client.post(confirm.group(1), data={"csrf_token": csrf(client, PAGE)}).status_code == 302
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE enrolments SET state = 'invited', signing_url = :link"), {"link": link}
        )
    return client.get(PAGE).text


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(document.domain)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example/sign",
        "https:alert(1)",
        "https://[::1",
    ],
)
def test_a_signing_address_that_is_not_an_https_url_is_shown_as_text_not_a_link(
    client: FlaskClient, engine: Engine, link: str
) -> None:
    log_in(client)
    create_course(client)
    assert_not_a_link(invited_with_link(client, engine, link))


def test_outside_local_mode_a_plain_http_signing_address_is_not_a_link(
    client: FlaskClient, engine: Engine
) -> None:
    app = client.application
    pages = app.extensions["vst.staff_pages"]
    app.extensions["vst.staff_pages"] = dataclasses.replace(pages, plain_http_links=False)
    log_in(client)
    create_course(client)
    assert_not_a_link(invited_with_link(client, engine, "http://sign.visma.example/sign/1"))


def assert_not_a_link(page: str) -> None:
    """The signing table shows the invitation, with no link in it."""
    table = page.split('<table class="signing">')[1].split("</table>", maxsplit=1)[0]
    assert '<tr data-state="invited">' in table
    assert "<a " not in table
    assert "href" not in table


def test_an_https_signing_address_is_a_link(client: FlaskClient, engine: Engine) -> None:
    log_in(client)
    create_course(client)
    shown = invited_with_link(client, engine, "https://sign.visma.example/sign/1?returnUrl=x")
    assert '<a href="https://sign.visma.example/sign/1?returnUrl=x">' in shown
    # In local mode (these tests), the Visma Sign sandbox's plain http address is a link too.
    shown = invited_with_link(client, engine, "http://127.0.0.1:8001/sandbox/sign/1")
    assert '<a href="http://127.0.0.1:8001/sandbox/sign/1">' in shown


def assert_security_headers(response: TestResponse, csp: str | None = None) -> None:
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    if csp is not None:
        assert policy == csp


def test_every_staff_page_api_answer_and_webhook_answer_carries_the_security_headers(
    client: FlaskClient, api_token: str
) -> None:
    assert_security_headers(client.get("/staff/login"), STAFF_CSP)
    assert_security_headers(client.get("/staff/courses"))  # the redirect to the login page
    assert_security_headers(client.get("/staff/nowhere"), STAFF_CSP)
    log_in(client)
    assert_security_headers(client.get("/staff/courses"), STAFF_CSP)
    assert_security_headers(client.get("/staff/courses/x%00y"), STAFF_CSP)
    assert_security_headers(client.get("/api/courses/x/status"))
    headers = {"Authorization": f"Bearer {api_token}"}
    answer = client.get("/api/courses/x/status", headers=headers)
    assert answer.status_code == 404
    assert_security_headers(answer)
    assert_security_headers(client.post("/webhooks/signing", data=b"{}"))
    assert_security_headers(client.get("/signing/return?document=x"))
    assert_security_headers(client.get("/healthz"))


@pytest.mark.parametrize("code", ["abc\x00", "\x00", "a\x00b"])
def test_a_new_course_code_with_a_nul_byte_is_a_form_error_that_stores_nothing(
    client: FlaskClient, engine: Engine, code: str
) -> None:
    log_in(client)
    data = {"csrf_token": csrf(client, "/staff/courses/new"), **COURSE_FORM, "code": code}
    response = client.post("/staff/courses/new", data=data)
    assert response.status_code == 400, response.text[:300]
    assert 'id="f-code-error"' in response.text
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM courses")).scalar_one() == 0


CHOICES = ("language", "grading_scale")  # a select: what was sent is never written back
FORM_FIELDS = (
    *sorted(set(COURSE_FORM) - set(CHOICES)),
    "name.sv",
    "name.en",
    "toimipiste_oid",
    "parts.0.code",
    "parts.0.name",
    "parts.0.description",
    "parts.0.laajuus_op",
)


def test_a_nul_byte_in_any_course_field_is_a_form_error_that_stores_nothing(
    client: FlaskClient, engine: Engine
) -> None:
    log_in(client)
    token = csrf(client, "/staff/courses/new")
    part = {"parts.0.code": "osa-1", "parts.0.name": "Osa", "parts.0.laajuus_op": "1,5"}
    for field in (*FORM_FIELDS, *CHOICES):
        data = {"csrf_token": token, **COURSE_FORM, **part}
        data[field] = data.get(field, "x") + "\x00"
        response = client.post("/staff/courses/new", data=data)
        assert response.status_code == 400, (field, response.text[:300])
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM courses")).scalar_one() == 0
    saved = client.post("/staff/courses/new", data={"csrf_token": token, **COURSE_FORM, **part})
    assert saved.status_code == 302  # the same form without the NUL byte is a course


@pytest.mark.parametrize("case", [str.upper, str.lower])
def test_a_hetu_typed_into_any_course_field_is_masked_when_the_form_comes_back(
    client: FlaskClient, case: Callable[[str], str]
) -> None:
    hetus = {f: case(make_hetu(dt.date(1990, 1, 1), 500 + i)) for i, f in enumerate(FORM_FIELDS)}
    log_in(client)
    data = {"csrf_token": csrf(client, "/staff/courses/new"), **COURSE_FORM}
    data |= {f: f"x{h}y" if f.startswith("name") else h for f, h in hetus.items()}
    data |= dict.fromkeys(CHOICES, hetus["code"])
    response = client.post("/staff/courses/new", data=data)
    assert response.status_code == 400, response.text[:300]
    assert 'aria-invalid="true"' in response.text
    assert "010190" not in response.text
    assert response.text.count("[hetu]") >= len(hetus)


def test_a_hetu_as_a_part_code_is_masked_in_the_problem_that_names_it(client: FlaskClient) -> None:
    hetu = make_hetu(dt.date(1990, 1, 1), 521)
    log_in(client)
    part = {"code": hetu, "name": "Osa", "laajuus_op": "0,75"}
    rows = {f"parts.{i}.{k}": v for i in (0, 1) for k, v in part.items()}
    data = {"csrf_token": csrf(client, "/staff/courses/new"), **COURSE_FORM, **rows}
    response = client.post("/staff/courses/new", data=data)
    assert response.status_code == 400, response.text[:300]
    assert "010190" not in response.text


@pytest.mark.parametrize("path", ["/staff", "/staff?next=/staff/courses"])
def test_a_slash_redirect_names_a_path_never_the_host_the_request_gave(
    client: FlaskClient, path: str
) -> None:
    # Werkzeug builds this redirect from the Host header: "evil.example" must not come back.
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 308
    assert response.headers["Location"].startswith("/staff/")
    assert "evil.example" not in response.headers["Location"]
