"""KOSKI's duplicate rule against the sandbox over HTTP (SQLite, PostgreSQL): a second run of
the same training for the same person on the same day is refused with conflict.exists, status
names the course whose record it collides with, and an import warns of it beforehand."""

from __future__ import annotations

from sqlalchemy import Engine

from consent import binding, grading, staff_actions
from consent.adapters.sql.courses import SqlCourses
from consent.courses import Course
from consent.hetu import Hetu
from consent.model import InboxDelivery, SubmissionState
from consent.staff import Actor
from consent.staff_actions import StaffServices
from tests.courses import course
from tests.fakes import InMemoryPendingImports
from tests.integration import test_grading
from tests.integration.test_grading import ADULT, NOW, World, row
from tests.signing import body_of, event

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


def staff(world: World, engine: Engine) -> StaffServices:
    """The staff actions over the world's ledger, with its status as the live records."""
    return StaffServices(
        courses=SqlCourses(engine, lambda: NOW),
        results=world.results,
        submissions=world.submissions,
        jobs=world.jobs,
        koski=world.koski,
        pending=InMemoryPendingImports(),
        clock=lambda: NOW,
        records=world.status,
    )


def test_importing_a_second_run_warns_of_the_duplicate_before_anything_is_sent(
    world: World, engine: Engine
) -> None:
    first_sent(world)
    second_run(world, engine)
    content = f"hetu,grade,graded_on\n{ADULT['hetu']},hyväksytty,2026-12-10\n".encode()
    services = staff(world, engine)
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
        staff(world, engine), SECOND, content.encode(), "csv", Actor.staff("maija")
    )
    assert (summary.changed, summary.warnings) == (1, ())
    assert world.work() == [SubmissionState.SENT]
