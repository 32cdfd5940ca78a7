"""KOSKI's duplicate rule against the sandbox over HTTP (SQLite, PostgreSQL): a second run of
the same training for the same person on the same day is refused with conflict.exists, status
names the course whose record it collides with, and an import warns of it beforehand."""

from __future__ import annotations

import datetime as dt

import redis
from sqlalchemy import Engine

from consent import binding, grading, staff_actions
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.results import SqlResults
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.adapters.sql.submissions import SqlSubmissions
from consent.config import Settings
from consent.courses import Course
from consent.hetu import Hetu
from consent.model import InboxDelivery, SubmissionState
from consent.results import ImportedResult, ResultStatus
from consent.staff import Actor, Role
from consent.submissions import SubmissionChange
from tests.courses import course
from tests.integration import test_grading
from tests.integration.test_grading import ADULT, NOW, STRANGER, World, row, staff_services
from tests.signing import body_of, event
from web.app import create_app

world = test_grading.world  # the same fixture: a ledger, its queues and the sandbox
FIRST = "knoppi-2026-syksy"
SECOND = "knoppi-2026-syksy-b"  # the same training run again, ending the same day


def second_run(world: World, engine: Engine, **changes: str) -> Course:
    """ADULT consents to a second run of the first course (same oppilaitos, opintokokonaisuus
    and end date unless ``changes`` say otherwise); the course, defined."""
    the_course = course(code=SECOND, end_date="2026-12-15", **changes)
    SqlCourses(engine, lambda: NOW).save_course(the_course, "test")
    document = event(ADULT, ADULT, course=SECOND, at="2026-09-01T08:15:00Z", document_id="d2")
    delivery = InboxDelivery(
        "signing", "m-second", 1, "v1,x", "k", document["type"], body_of(document), NOW
    )
    binding.bind_consent(world.ledger.store_delivery(delivery).inbox_id, world.ledger, lambda: NOW)
    return the_course


def first_sent(world: World) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    assert world.work() == [SubmissionState.SENT]


def imported(world: World, the_course: Course) -> grading.ImportSummary:
    return grading.import_results(
        the_course, [row(ADULT)], world.results, world.jobs, today=NOW.date(), actor="test"
    )


def test_a_second_run_on_the_same_day_is_refused_and_status_names_the_first(
    world: World, engine: Engine
) -> None:
    first_sent(world)
    imported(world, second_run(world, engine))
    assert world.work() == [SubmissionState.FAILED]
    [refused] = world.course_status(SECOND)
    assert refused["submission"]["last_error_keys"] == ["conflict.exists"]
    assert refused["collides_with"] == FIRST
    [held] = world.course_status(FIRST)
    assert (held["submission"]["state"], held["collides_with"]) == ("sent", None)
    assert len(world.sandbox.stored()) == 1


def test_a_second_run_of_another_opintokokonaisuus_is_no_duplicate(
    world: World, engine: Engine
) -> None:
    first_sent(world)
    imported(world, second_run(world, engine, opintokokonaisuus="1139"))
    assert world.work() == [SubmissionState.SENT]
    assert len(world.sandbox.stored()) == 2


def test_the_ledger_names_a_persons_live_records_by_oppilaitos_and_opintokokonaisuus(
    world: World,
) -> None:
    first_sent(world)
    the_course = course()
    held = world.status.live_records(
        [Hetu(ADULT["hetu"])], the_course.oppilaitos_oid, the_course.opintokokonaisuus
    )
    [record] = held[Hetu(ADULT["hetu"])]
    assert (record.course_code, record.key.day) == (FIRST, the_course.end_date)
    assert world.status.live_records([Hetu(ADULT["hetu"])], the_course.oppilaitos_oid, "1139") == {}


def test_importing_a_second_run_warns_of_the_duplicate_before_anything_is_sent(
    world: World, engine: Engine
) -> None:
    first_sent(world)
    second_run(world, engine)
    content = f"hetu,grade,graded_on\n{ADULT['hetu']},hyväksytty,2026-12-10\n".encode()
    services = staff_services(world, engine)
    actor = Actor.staff("maija")
    preview = staff_actions.preview_results(services, SECOND, content, "csv", actor)
    assert [(w.row, w.course_code) for w in preview.warnings] == [(1, FIRST)]
    summary = staff_actions.import_results(services, SECOND, content, "csv", actor)
    assert (summary.changed, [w.course_code for w in summary.warnings]) == (1, [FIRST])


def test_a_second_run_ending_on_another_day_is_no_duplicate_and_not_warned_of(
    world: World, engine: Engine
) -> None:
    first_sent(world)
    second_run(world, engine)
    content = f"hetu,grade,graded_on,ended_on\n{ADULT['hetu']},hyväksytty,2026-12-01,2026-12-10\n"
    summary = staff_actions.import_results(
        staff_services(world, engine), SECOND, content.encode(), "csv", Actor.staff("maija")
    )
    assert (summary.changed, summary.warnings) == (1, ())
    assert world.work() == [SubmissionState.SENT]


def held_elsewhere(engine: Engine, cipher: AesGcmCipher) -> None:
    """ADULT's record of SECOND (ended 20.11., before the real today) is in KOSKI, and FIRST
    is defined to end the same day: a result of ADULT's in FIRST would be a duplicate."""
    courses = SqlCourses(engine, lambda: NOW)
    courses.save_course(course(code=SECOND, end_date="2026-11-20"), "test")
    courses.save_course(course(end_date="2026-11-20"), "test")
    results = SqlResults(engine, cipher, lambda: NOW)
    graded = ImportedResult(
        1,
        Hetu(ADULT["hetu"]),
        None,
        None,
        "hyväksytty",
        dt.date(2026, 11, 19),
        ResultStatus.COMPLETED,
        {},
    )
    [result_id], _ = results.store_results(SECOND, [graded], "test")
    with results.binding() as tx:
        submission_id = tx.add_submission(result_id, "vstc-earlier", "winnova")
    sent = SubmissionChange(state=SubmissionState.SENT, oid="1.2.246.562.15.00000000002")
    SqlSubmissions(engine, cipher, lambda: NOW).change(submission_id, sent, "test")


def test_the_api_import_answer_warns_of_a_duplicate_and_omits_warnings_when_there_are_none(
    engine: Engine, redis_client: redis.Redis, koski_settings: Settings
) -> None:
    held_elsewhere(engine, AesGcmCipher(koski_settings.pii_keys))
    token = SqlStaffTokens(engine, lambda: NOW).create("staff-person", Role.STAFF)
    api = create_app(koski_settings, engine=engine, broker=redis_client).test_client()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/csv"}
    content = f"hetu,grade,graded_on\n{ADULT['hetu']},hyväksytty,2026-11-18\n"
    answer = api.post(f"/api/courses/{FIRST}/results", data=content, headers=headers)
    assert answer.status_code == 200
    [warning] = answer.get_json()["warnings"]
    assert (warning["row"], warning["course"]) == (1, SECOND)
    assert "conflict.exists" in warning["reason"]
    assert ADULT["hetu"] not in answer.text
    other = content.replace("2026-11-18", "2026-11-19")  # changed, and still a duplicate
    again = api.post(f"/api/courses/{FIRST}/results", data=other, headers=headers).get_json()
    assert again["changed"] == 1
    assert len(again["warnings"]) == 1
    elsewhere = f"hetu,grade,graded_on\n{STRANGER['hetu']},hyväksytty,2026-11-18\n"
    clean = api.post(f"/api/courses/{FIRST}/results", data=elsewhere, headers=headers)
    assert clean.get_json() == {"changed": 1, "unchanged": 0}
