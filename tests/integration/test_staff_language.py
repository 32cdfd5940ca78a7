"""The staff pages' language, kept per account: Finnish for a new account, Swedish once the
member chooses it on the pages or the operator sets it with ``vst-consent accounts
set-language``, in every later session too, on both databases."""

from __future__ import annotations

import re

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import Engine

from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.config import Settings
from consent.staff import Role
from tests.conftest import REDIS_URL
from tests.courses import COURSE_FORM
from tests.integration.test_cli import _run
from web.app import create_app

NAME = "anna.staff"
PASSWORD = "pitkä-ja-hyvä-salasana"


@pytest.fixture
def accounts(engine: Engine) -> SqlStaffAccounts:
    """The ledger's staff accounts, with one staff account in it."""
    accounts = SqlStaffAccounts(engine, utc_now)
    accounts.create(NAME, PASSWORD, Role.STAFF)
    return accounts


@pytest.fixture
def client(engine: Engine, accounts: SqlStaffAccounts, redis_client: redis.Redis) -> FlaskClient:
    """A browser logged in to the web app on the real ledger and Redis."""
    return logged_in(engine, redis_client)


def logged_in(engine: Engine, redis_client: redis.Redis) -> FlaskClient:
    settings = Settings.from_env({"REDIS_URL": REDIS_URL})
    browser = create_app(settings, engine=engine, broker=redis_client).test_client()
    data = {"csrf_token": token(browser, "/staff/login"), "username": NAME, "password": PASSWORD}
    assert browser.post("/staff/login", data=data).status_code == 302
    return browser


def token(client: FlaskClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


def choose(client: FlaskClient, language: str, page: str = "/staff/courses") -> tuple[int, str]:
    """Choose a language with the selector on ``page``; the status and where it leads."""
    data = {"csrf_token": token(client, page), "language": language, "next": page}
    response = client.post("/staff/language", data=data)
    return response.status_code, response.headers.get("Location", "")


def test_a_new_account_sees_the_pages_in_finnish(client: FlaskClient) -> None:
    page = client.get("/staff/courses").text
    assert '<html lang="fi">' in page
    assert "Kirjaudu ulos" in page
    assert "Logga ut" not in page


def test_choosing_swedish_draws_the_pages_in_swedish_in_this_and_every_later_session(
    client: FlaskClient, engine: Engine, accounts: SqlStaffAccounts, redis_client: redis.Redis
) -> None:
    assert choose(client, "sv", "/staff/courses/new") == (302, "/staff/courses/new")
    page = client.get("/staff/courses/new").text
    assert '<html lang="sv">' in page
    assert "Logga ut" in page
    assert "Kursens omfattning (sp)" in page
    assert "Kirjaudu ulos" not in page
    client.post("/staff/logout", data={"csrf_token": token(client, "/staff/courses")})
    again = logged_in(engine, redis_client).get("/staff/courses").text
    assert '<html lang="sv">' in again
    assert "Kurser" in again
    member = accounts.verify(NAME, PASSWORD)
    assert member is not None
    assert member.language == "sv"


def test_a_swedish_page_words_a_refused_form_in_swedish(client: FlaskClient) -> None:
    choose(client, "sv")
    form = {k: v for k, v in COURSE_FORM.items() if k != "opintokokonaisuus"}
    response = client.post(
        "/staff/courses/new", data={"csrf_token": token(client, "/staff/courses/new"), **form}
    )
    assert response.status_code == 400
    assert "är obligatoriskt" in response.text
    assert "Korrigera de markerade fälten. Ingenting sparades." in response.text


def test_switching_back_to_finnish_draws_the_pages_in_finnish_again(client: FlaskClient) -> None:
    choose(client, "sv")
    assert choose(client, "fi") == (302, "/staff/courses")
    assert '<html lang="fi">' in client.get("/staff/courses").text


def test_a_language_the_pages_do_not_speak_is_refused_and_changes_nothing(
    client: FlaskClient, accounts: SqlStaffAccounts
) -> None:
    choose(client, "sv")
    status, _ = choose(client, "de")
    assert status == 400
    assert '<html lang="sv">' in client.get("/staff/courses").text
    member = accounts.verify(NAME, PASSWORD)
    assert member is not None
    assert member.language == "sv"


def test_a_language_chosen_without_the_form_s_token_is_refused(
    client: FlaskClient, accounts: SqlStaffAccounts
) -> None:
    choose(client, "sv")
    response = client.post("/staff/language", data={"language": "fi"})
    assert response.status_code == 400
    assert "Formuläret har gått ut." in response.text  # refused in the member's own words
    member = accounts.verify(NAME, PASSWORD)
    assert member is not None
    assert member.language == "sv"


def test_the_operator_sets_an_account_s_language_from_the_command_line(
    engine: Engine, accounts: SqlStaffAccounts
) -> None:
    database = {"DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    done = _run("accounts", "set-language", NAME, "sv", **database)
    assert (done.returncode, done.stdout) == (0, f"the staff pages of {NAME} are now in Swedish\n")
    member = accounts.verify(NAME, PASSWORD)
    assert member is not None
    assert member.language == "sv"
    nobody = _run("accounts", "set-language", "ei.ketaan", "fi", **database)
    assert (nobody.returncode, nobody.stderr) == (1, "no account named 'ei.ketaan'\n")
    unknown = _run("accounts", "set-language", NAME, "de", **database)
    assert unknown.returncode == 2
    assert "invalid choice" in unknown.stderr
    member = accounts.verify(NAME, PASSWORD)
    assert member is not None
    assert member.language == "sv"


def test_a_swedish_page_writes_dates_and_extents_as_finland_does_with_swedish_units(
    client: FlaskClient,
) -> None:
    new = {"csrf_token": token(client, "/staff/courses/new"), **COURSE_FORM}
    assert client.post("/staff/courses/new", data=new).status_code == 302
    choose(client, "sv")
    listed = client.get("/staff/courses").text
    assert "<td>1,5 sp</td><td>20.11.2026</td>" in listed
    choose(client, "fi")
    assert "<td>1,5 op</td><td>20.11.2026</td>" in client.get("/staff/courses").text


def test_the_login_page_after_a_logout_is_in_the_language_last_used_in_that_browser(
    client: FlaskClient, engine: Engine, redis_client: redis.Redis
) -> None:
    choose(client, "sv")
    client.post("/staff/logout", data={"csrf_token": token(client, "/staff/courses")})
    login_page = client.get("/staff/login").text
    assert '<html lang="sv">' in login_page
    assert "Logga in" in login_page
    fresh = create_app(
        Settings.from_env({"REDIS_URL": REDIS_URL}), engine=engine, broker=redis_client
    ).test_client()
    assert '<html lang="fi">' in fresh.get("/staff/login").text  # another browser: Finnish
    fresh.set_cookie("vst_lang", '"><script>')
    assert '<html lang="fi">' in fresh.get("/staff/login").text  # only fi or sv is taken
