"""Corrections with the fakes: a course edit binds its results again (so changed records are
sent again), an oppilaitos change is refused while KOSKI holds records of the course."""

from __future__ import annotations

import pytest

from consent import staff_actions
from consent.errors import OppilaitosLocked, UnknownCourse
from consent.model import SubmissionState
from consent.staff import Actor
from tests.courses import course
from tests.unit.test_staff_actions import CODE, World

MAIJA = Actor.staff("maija")


def test_a_course_edit_binds_every_result_of_the_course_again() -> None:
    world = World()
    world.courses.results[CODE] = [4, 5]
    staff_actions.save_course(world.services, course(opintokokonaisuus="1139"), MAIJA)
    assert world.jobs.results == [4, 5]
    assert world.courses.by_code[CODE].opintokokonaisuus == "1139"


def test_saving_a_course_unchanged_binds_nothing_again() -> None:
    world = World()
    world.courses.results[CODE] = [4, 5]
    staff_actions.save_course(world.services, course(), MAIJA)
    assert world.jobs.results == []


def test_a_new_course_binds_nothing() -> None:
    world = World()
    world.courses.results["uusi-2027"] = [9]
    staff_actions.save_course(world.services, course(code="uusi-2027"), MAIJA)
    assert world.jobs.results == []


def test_an_oppilaitos_change_while_koski_holds_records_is_refused_and_changes_nothing() -> None:
    world = World()
    world.courses.live[CODE] = 1
    world.courses.results[CODE] = [4]
    with pytest.raises(OppilaitosLocked) as refused:
        staff_actions.save_course(
            world.services, course(oppilaitos_oid="1.2.246.562.10.99999999999"), MAIJA
        )
    assert refused.value.field == "oppilaitos_oid"
    assert world.courses.by_code[CODE] == course()
    assert world.courses.audit == []
    assert world.jobs.results == []


def test_an_oppilaitos_change_before_anything_reached_koski_is_saved() -> None:
    world = World()
    world.courses.results[CODE] = [4]
    other = course(oppilaitos_oid="1.2.246.562.10.99999999999")
    staff_actions.save_course(world.services, other, MAIJA)
    assert world.courses.by_code[CODE] == other
    assert world.jobs.results == [4]


def test_retrying_a_course_retries_each_parked_or_failed_record_in_the_actor_s_name() -> None:
    world = World()
    parked = world.submission(SubmissionState.PARKED)
    sent = world.submission(SubmissionState.SENT, "1.2.246.562.15.00000000001")
    failed = world.submission(SubmissionState.FAILED)
    world.courses.retryable[CODE] = [parked, sent, failed]  # sent: changed since listed
    assert staff_actions.retry_course(world.services, CODE, MAIJA) == [parked, failed]
    assert world.jobs.submissions == [parked, failed]
    retries = [e for e in world.grading.state.audit if e.action == "submission.retry"]
    assert [(e.actor, e.subject_id) for e in retries] == [
        ("staff:maija", parked),
        ("staff:maija", failed),
    ]


def test_retrying_an_unknown_course_is_unknown_course() -> None:
    with pytest.raises(UnknownCourse):
        staff_actions.retry_course(World().services, "ei-ole", MAIJA)
