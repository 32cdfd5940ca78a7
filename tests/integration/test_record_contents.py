"""What a record carries and when, from an import through binding to the KOSKI sandbox over
HTTP (SQLite, PostgreSQL): only passed parts, keskeytynyt only for a course of two parts or
more, the participant's own end date, and a record dated after today waiting for its day."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import Engine

from consent import binding, grading
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.koski import HttpKoski
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.ledger import SqlLedger, utc_now
from consent.adapters.sql.results import SqlResults
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.adapters.sql.status import SqlStatus
from consent.adapters.sql.submissions import SqlSubmissions
from consent.config import Settings
from consent.courses import Course
from consent.model import InboxDelivery, SubmissionState
from consent.staff import Role
from tests.courses import course, course_doc
from tests.fakes import RecordingGradingJobs
from tests.koski_server import PASSWORD, USER, RunningSandbox, running_sandbox
from tests.signing import body_of, event, person
from tests.status import status_rows
from web.app import create_app

NOW = dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC)
ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
OTHER = person(dt.date(1985, 3, 3), "Eero", "Nieminen")
TWO_PARTS = course()  # KP-1 1 op, KP-2 0.5 op; ends 2026-12-15
ONE_PART = course(
    code="yksi-osa", parts=[{"code": "YO-1", "name": "Koko kurssi", "laajuus_op": 1.5}]
)
LATER = course(code="kevat-2027", end_date="2027-01-15")


class Clock:
    """The time every adapter reads; a test moves it on."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class World:
    clock: Clock
    ledger: SqlLedger
    results: SqlResults
    submissions: SqlSubmissions
    jobs: RecordingGradingJobs
    koski: HttpKoski
    sandbox: RunningSandbox
    status: SqlStatus

    def consent(self, member: dict[str, str], the_course: Course, webhook_id: str) -> None:
        document = event(member, member, course=the_course.code, document_id=webhook_id)
        delivery = InboxDelivery(
            "signing", webhook_id, 1, "v1,x", "k", document["type"], body_of(document), NOW
        )
        inbox_id = self.ledger.store_delivery(delivery).inbox_id
        binding.bind_consent(inbox_id, self.ledger, self.clock)

    def import_rows(self, the_course: Course, rows: list[dict[str, Any]]) -> None:
        grading.import_results(
            the_course, rows, self.results, self.jobs, today=self.clock().date(), actor="test"
        )

    def work(self) -> list[SubmissionState]:
        """Bind every queued result, then send what was queued, as the worker would."""
        while self.jobs.results:
            batch, self.jobs.results = self.jobs.results, []
            grading.bind_results(batch, self.results, self.jobs, "winnova")
        queued, self.jobs.submissions = self.jobs.submissions, []
        if not queued:
            return []
        sent = grading.submit_range(
            min(queued),
            max(queued),
            self.submissions,
            self.koski,
            self.jobs,
            self.clock,
            run="submit-range-0",
            actor="worker",
        )
        return list(sent.values())

    def bindings(self, code: str) -> list[str]:
        return [r["binding"] for r in status_rows(self.status, code)]


@pytest.fixture
def world(engine: Engine, cipher: AesGcmCipher, tmp_path: Path) -> Iterator[World]:
    with world_on(engine, cipher, tmp_path) as made:
        yield made


@contextmanager
def world_on(engine: Engine, cipher: AesGcmCipher, tmp_path: Path) -> Iterator[World]:
    """The three courses defined, and the adapters on ``engine`` with a clock of their own."""
    clock = Clock()
    courses = SqlCourses(engine, clock)
    for defined in (TWO_PARTS, ONE_PART, LATER):
        courses.save_course(defined, "test")
    with running_sandbox(tmp_path / "koski.db", today=lambda: clock().date()) as sandbox:
        koski = HttpKoski(
            sandbox.url, USER, PASSWORD, "1.2.246.562.10.00000000001.test", timeout=(2, 2)
        )
        yield World(
            clock,
            SqlLedger(engine, cipher, clock),
            SqlResults(engine, cipher, clock),
            SqlSubmissions(engine, cipher, clock),
            RecordingGradingJobs(),
            koski,
            sandbox,
            SqlStatus(engine, cipher),
        )


def row(member: dict[str, str], grade: str | None = "hyväksytty", **extra: Any) -> dict[str, Any]:
    return {"hetu": member["hetu"], "grade": grade, "graded_on": "2026-12-10", **extra}


def pts(stored: dict[str, Any]) -> dict[str, Any]:
    """The päätason suoritus of a record the sandbox holds."""
    suoritus: dict[str, Any] = stored["suoritukset"][0]
    return suoritus


def jakso(stored: dict[str, Any]) -> tuple[str, str]:
    first = stored["tila"]["opiskeluoikeusjaksot"][0]
    return first["alku"], first["tila"]["koodiarvo"]


def parts(stored: dict[str, Any]) -> dict[str, str]:
    return {
        o["koulutusmoduuli"]["tunniste"]["koodiarvo"]: o["arviointi"][0]["arvosana"]["koodiarvo"]
        for o in pts(stored)["osasuoritukset"]
    }


def test_a_completed_result_with_a_failed_part_reaches_koski_interrupted_with_its_passed_part(
    world: World,
) -> None:
    world.consent(ADULT, TWO_PARTS, "m1")
    world.import_rows(TWO_PARTS, [row(ADULT, parts={"KP-2": "hylätty"})])
    assert world.work() == [SubmissionState.SENT]
    [stored] = world.sandbox.stored()
    assert jakso(stored) == ("2026-12-15", "keskeytynyt")
    assert parts(stored) == {"KP-1": "Hyväksytty"}  # the failed part never leaves the ledger
    assert "vahvistus" not in pts(stored)


def test_own_end_dates_of_a_completed_and_an_interrupted_participant(world: World) -> None:
    world.consent(ADULT, TWO_PARTS, "m1")
    world.consent(OTHER, TWO_PARTS, "m2")
    world.import_rows(
        TWO_PARTS,
        [
            row(ADULT, ended_on="2026-12-04"),
            row(
                OTHER,
                None,
                status="interrupted",
                ended_on="2026-11-20",
                parts={"KP-1": "hyväksytty"},
            ),
        ],
    )
    assert world.work() == [SubmissionState.SENT] * 2
    completed, interrupted = sorted(world.sandbox.stored(), key=lambda s: jakso(s)[1])
    assert jakso(completed) == ("2026-12-04", "hyvaksytystisuoritettu")
    assert pts(completed)["vahvistus"]["päivä"] == "2026-12-04"  # graded later, confirmed then
    assert jakso(interrupted) == ("2026-11-20", "keskeytynyt")


def test_an_interrupted_one_part_course_sends_nothing_and_says_why(world: World) -> None:
    world.consent(ADULT, ONE_PART, "m1")
    world.consent(OTHER, ONE_PART, "m2")
    world.import_rows(
        ONE_PART,
        [
            row(ADULT, None, status="interrupted", parts={"YO-1": "hyväksytty"}),
            row(OTHER, "hylätty"),
        ],
    )
    assert world.work() == []
    assert world.sandbox.stored() == []
    assert sorted(world.bindings(ONE_PART.code)) == ["not_passed", "single_part_interrupted"]


def test_a_result_dated_after_today_waits_and_goes_out_on_its_day(world: World) -> None:
    world.consent(ADULT, LATER, "m1")
    world.consent(OTHER, LATER, "m2")
    world.import_rows(LATER, [row(ADULT), row(OTHER, ended_on="2027-01-08")])
    assert world.work() == []
    assert world.sandbox.stored() == []
    assert world.bindings(LATER.code) == ["waiting_for_end"] * 2
    assert world.results.due_waiting(world.clock().date()) == []

    world.clock.now = dt.datetime(2027, 1, 8, 6, 0, tzinfo=dt.UTC)  # the other's day
    [due] = world.results.due_waiting(world.clock().date())
    world.jobs.results.append(due)
    assert world.work() == [SubmissionState.SENT]
    [stored] = world.sandbox.stored()
    assert jakso(stored) == ("2027-01-08", "hyvaksytystisuoritettu")

    world.clock.now = dt.datetime(2027, 1, 15, 6, 0, tzinfo=dt.UTC)  # the course's end
    world.jobs.results.extend(world.results.due_waiting(world.clock().date()))
    assert world.work() == [SubmissionState.SENT]
    assert sorted(jakso(s)[0] for s in world.sandbox.stored()) == ["2027-01-08", "2027-01-15"]
    assert world.results.due_waiting(world.clock().date()) == []  # nothing is sent twice


@pytest.fixture
def api(engine: Engine, redis_client: redis.Redis, koski_settings: Settings) -> FlaskClient:
    """The staff API on the real ledger and Redis."""
    return create_app(koski_settings, engine=engine, broker=redis_client).test_client()


def test_the_staff_api_takes_a_participant_s_end_date_by_json_and_csv_and_shows_it(
    api: FlaskClient, engine: Engine
) -> None:
    staff = {"Authorization": f"Bearer {SqlStaffTokens(engine, utc_now).create('m', Role.STAFF)}"}
    results = f"/api/courses/{TWO_PARTS.code}/results"
    api.put(f"/api/courses/{TWO_PARTS.code}", json=course_doc(), headers=staff)
    dated = {**row(ADULT), "graded_on": "2026-11-01", "ended_on": "2026-11-30"}
    assert api.post(results, json=[dated], headers=staff).get_json() == {
        "changed": 1,
        "unchanged": 0,
    }
    csv = f"hetu,grade,graded_on,ended_on\n{ADULT['hetu']},hyväksytty,2026-11-01,2026-11-30\n"
    same = api.post(results, data=csv.encode(), content_type="text/csv", headers=staff)
    assert same.get_json() == {"changed": 0, "unchanged": 1}
    moved = api.post(results, json=[{**dated, "ended_on": "2026-11-29"}], headers=staff)
    assert moved.get_json() == {"changed": 1, "unchanged": 0}  # a changed end date is a change
    [shown] = api.get(f"/api/courses/{TWO_PARTS.code}/status", headers=staff).get_json()[
        "participants"
    ]
    assert shown["result"]["ended_on"] == "2026-11-29"
    late = api.post(results, json=[{**dated, "ended_on": "2026-12-16"}], headers=staff)
    assert late.status_code == 422
    assert [(e["row"], e["field"]) for e in late.get_json()["errors"]] == [(1, "ended_on")]


def test_the_course_page_says_in_finnish_why_a_record_waits_or_is_not_sent(
    engine: Engine, redis_client: redis.Redis, koski_settings: Settings, tmp_path: Path
) -> None:
    with world_on(engine, AesGcmCipher(koski_settings.pii_keys), tmp_path) as world:
        _waiting_and_one_part(world)
    SqlStaffAccounts(engine, utc_now).create("maija", "pitkä-ja-hyvä-salasana", Role.STAFF)
    client = create_app(koski_settings, engine=engine, broker=redis_client).test_client()
    page = client.get("/staff/login").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    form = {"csrf_token": found.group(1), "username": "maija"}
    login = client.post("/staff/login", data={**form, "password": "pitkä-ja-hyvä-salasana"})
    assert login.status_code == 302
    waiting = client.get(f"/staff/courses/{LATER.code}").text
    assert "lähetetään KOSKIin itsestään päättymispäivänä 8.1.2027" in waiting
    assert "päättyi 8.1.2027" in waiting
    one_part = client.get(f"/staff/courses/{ONE_PART.code}").text
    assert "kurssissa on vain yksi osa" in one_part


def _waiting_and_one_part(world: World) -> None:
    """ADULT waits for the later course; OTHER interrupted the one-part course."""
    world.consent(ADULT, LATER, "m1")
    world.consent(OTHER, ONE_PART, "m2")
    world.import_rows(LATER, [row(ADULT, ended_on="2027-01-08")])
    interrupted = row(OTHER, None, status="interrupted", parts={"YO-1": "hyväksytty"})
    world.import_rows(ONE_PART, [interrupted])
    assert world.work() == []
