"""Corrections with the fakes: a course edit binds its results again (so changed records are
sent again), an oppilaitos change is refused while KOSKI holds records of the course, a
record held back is never sent, retry and send again."""

from __future__ import annotations

import pytest

from consent import grading, staff_actions
from consent.errors import OppilaitosLocked, UnknownCourse
from consent.model import SubmissionState
from consent.staff import Actor
from consent.submissions import SubmissionChange
from tests.courses import course
from tests.fakes import InMemoryGrading, ScriptedKoski
from tests.unit.test_staff_actions import CODE, World
from tests.unit.test_submit import NOW, queued, send

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


@pytest.mark.parametrize("state", [SubmissionState.ATTENTION, SubmissionState.WITHDRAWN])
def test_a_record_held_back_is_never_sent_until_its_result_is_bound_again(
    state: SubmissionState,
) -> None:
    ledger, koski = InMemoryGrading(), ScriptedKoski()
    submission_id = queued(ledger)
    ledger.change(submission_id, SubmissionChange(state=state), "test")
    assert send(ledger, koski, submission_id).state is state
    assert koski.payloads == []


def test_a_record_in_doubt_that_is_invalidated_is_no_longer_in_doubt() -> None:
    ledger, koski = InMemoryGrading(), ScriptedKoski()
    submission_id = queued(ledger)
    send(ledger, koski, submission_id)
    in_doubt = SubmissionChange(state=SubmissionState.ATTENTION, attention="not_passed")
    ledger.change(submission_id, in_doubt, "test")
    grading.invalidate(submission_id, ledger, koski, lambda: NOW, actor="staff:maija")
    stored = ledger.submission(submission_id)
    assert (stored.state, stored.attention, stored.oid) == (SubmissionState.INVALIDATED, None, None)


def test_an_invalidated_record_sent_again_is_sent_anew_with_a_fresh_count() -> None:
    world = World()
    invalidated = world.submission(SubmissionState.INVALIDATED)
    world.grading.state.submissions[invalidated].attempts = 3
    staff_actions.send_again(world.services, invalidated, MAIJA)
    stored = world.grading.submission(invalidated)
    assert (stored.state, stored.attempts) == (SubmissionState.PENDING, 0)
    assert world.jobs.submissions == [invalidated]
    assert [(e.actor, e.action) for e in world.grading.state.audit][-1] == (
        "staff:maija",
        "submission.send_again",
    )
