"""Looking one person up in full on a course's status is audited (SQLite, PostgreSQL): the
course page's search, ``POST /api/courses/{code}/status/person`` and ``vst-consent person
status`` each write ``person.looked_up`` with who asked, about the participant found, so the
person's own export lists who looked them up; the masked status writes nothing. The command
reads the hetu from standard input only."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from cli.main import main
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.adapters.sql.tables import AuditRow, ParticipantRow
from consent.staff import Role
from tests.conftest import REDIS_URL
from tests.integration.test_staff_pages import (
    ADULT,
    STRANGER,
    app_client,
    consent,
    create_course,
    login,
    post,
    upload_and_confirm,
)

__all__ = ["app_client"]  # a fixture
COURSE = "eratauko-2026"
PAGE = f"/staff/courses/{COURSE}"


def lookups(engine: Engine) -> list[tuple[str, int | None, dict[str, Any]]]:
    """Every ``person.looked_up`` audit entry: who, about which participant, its details."""
    query = select(AuditRow).where(AuditRow.action == "person.looked_up").order_by(AuditRow.id)
    with engine.connect() as connection:
        return [
            (row.actor, row.subject_id, row.details)
            for row in connection.execute(query)
            if row.subject_type == "participant"
        ]


def participant_ids(engine: Engine) -> list[int]:
    with engine.connect() as connection:
        return list(connection.execute(select(ParticipantRow.id)).scalars())


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, engine: Engine) -> None:
    """The commands' environment: the test's database and broker, and the local PII key the
    web app of :func:`app_client` seals with."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.delenv("PII_KEY", raising=False)


@pytest.fixture
def course_with_two(app_client: FlaskClient, engine: Engine) -> FlaskClient:
    """The course with ADULT (consented) and STRANGER (not) graded, as staff logged in."""
    login(app_client)
    create_course(app_client)
    consent(app_client, engine, ADULT, "msg_adult")
    upload_and_confirm(app_client, [ADULT, STRANGER])
    return app_client


def test_the_course_pages_search_is_audited_about_the_person_found(
    course_with_two: FlaskClient, engine: Engine
) -> None:
    course_with_two.get(PAGE)  # the masked page
    assert lookups(engine) == []
    found = post(course_with_two, f"{PAGE}/person", {"hetu": ADULT["hetu"]}, PAGE)
    assert ADULT["hetu"] in found
    [(actor, subject, details)] = lookups(engine)
    assert actor == "staff:staff"
    assert subject in participant_ids(engine)
    assert details == {"code": COURSE, "found": True}
    assert ADULT["hetu"] not in str(details)


def test_a_search_that_finds_nobody_is_audited_about_nobody(
    course_with_two: FlaskClient, engine: Engine
) -> None:
    nobody = "010101A123N"
    post(course_with_two, f"{PAGE}/person", {"hetu": nobody}, PAGE)
    assert lookups(engine) == [("staff:staff", None, {"code": COURSE, "found": False})]
    bad = post(course_with_two, f"{PAGE}/person", {"hetu": "123"}, PAGE)
    assert bad.startswith("400 ")
    assert len(lookups(engine)) == 1  # a hetu that is none looks nobody up


def test_the_apis_person_status_is_audited_with_the_tokens_name_and_the_masked_one_not(
    course_with_two: FlaskClient, engine: Engine
) -> None:
    token = SqlStaffTokens(engine, utc_now).create("reporting", Role.VIEWER)
    headers = {"Authorization": f"Bearer {token}"}
    assert course_with_two.get(f"/api/courses/{COURSE}/status", headers=headers).status_code == 200
    assert lookups(engine) == []
    answer = course_with_two.post(
        f"/api/courses/{COURSE}/status/person", json={"hetu": ADULT["hetu"]}, headers=headers
    )
    assert answer.status_code == 200
    [row] = answer.get_json()["participants"]
    assert row["participant"]["hetu"] == ADULT["hetu"]
    [(actor, subject, details)] = lookups(engine)
    assert actor == "staff:reporting"
    assert subject in participant_ids(engine)
    assert details == {"code": COURSE, "found": True}
    unknown = course_with_two.post(
        "/api/courses/no-such-course/status/person", json={"hetu": ADULT["hetu"]}, headers=headers
    )
    assert unknown.status_code == 404
    assert len(lookups(engine)) == 1  # no course, nobody looked up


def test_the_persons_own_export_lists_who_looked_them_up(
    course_with_two: FlaskClient, engine: Engine
) -> None:
    post(course_with_two, f"{PAGE}/person", {"hetu": ADULT["hetu"]}, PAGE)
    page = "/staff/person"
    exported = post(course_with_two, page, {"hetu": ADULT["hetu"], "format": "json"}, page)
    assert "person.looked_up" in exported
    other = post(course_with_two, page, {"hetu": STRANGER["hetu"], "format": "json"}, page)
    assert "person.looked_up" not in other


def test_the_command_reads_the_hetu_from_stdin_prints_the_person_and_is_audited(
    course_with_two: FlaskClient,
    engine: Engine,
    database: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(ADULT["hetu"] + "\n"))
    assert main(["person", "status", COURSE, "--by", "maija"]) == 0
    printed = capsys.readouterr().out
    assert ADULT["hetu"] in printed
    assert STRANGER["hetu"][-4:] not in printed
    [(actor, subject, _)] = lookups(engine)
    assert (actor, subject is not None) == ("staff:maija", True)
    assert main(["status", COURSE]) == 0  # the masked table: nothing audited
    assert ADULT["hetu"] not in capsys.readouterr().out
    assert len(lookups(engine)) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["person", "status", COURSE, "--by", "maija", "{hetu}"],
        ["status", COURSE, "--hetu", "{hetu}"],  # the option that took one, gone
        ["status", "{hetu}"],
        ["export", "course", COURSE, "--out", "{hetu}.csv"],
    ],
)
def test_a_hetu_on_any_command_line_is_refused_and_never_echoed(
    argv: list[str], database: None, capsys: pytest.CaptureFixture[str]
) -> None:
    hetu = ADULT["hetu"]
    assert main([word.format(hetu=hetu) for word in argv]) == 2
    printed = capsys.readouterr()
    assert "standard input" in printed.err
    assert hetu[:6] not in printed.out + printed.err
