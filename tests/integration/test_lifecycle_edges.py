"""Two edges of a record's life on SQLite and PostgreSQL: a record waiting for its day goes out
once the earlier of its two end dates has come, and a record whose first answer was lost
counts as one KOSKI may hold (its course's oppilaitos is then locked)."""

from __future__ import annotations

from sqlalchemy import Engine

from consent import grading
from consent.adapters.sql.courses import SqlCourses
from consent.koski_answers import KoskiAnswer
from consent.model import Binding, SubmissionState
from tests.courses import course
from tests.fakes import ScriptedKoski
from tests.integration import test_grading
from tests.integration.test_grading import ADULT, NOW, World, row

world = test_grading.world  # the same fixture: a ledger, its queues and the sandbox
CODE = "knoppi-2026-syksy"


def test_a_waiting_record_is_due_once_its_course_is_edited_to_end_before_its_own_day(
    world: World, engine: Engine
) -> None:
    courses, later = SqlCourses(engine, lambda: NOW), course(end_date="2027-01-31")
    courses.save_course(later, "test")
    world.consent(ADULT, ADULT, "m1")
    rows = [row(ADULT, ended_on="2027-01-20")]
    grading.import_results(later, rows, world.results, world.jobs, today=NOW.date(), actor="t")
    world.work()
    [status] = world.course_status(CODE)
    assert status["binding"] == Binding.WAITING_FOR_END
    assert world.results.due_waiting(NOW.date()) == []
    courses.save_course(course(end_date="2026-12-18"), "test")  # ends before her own day
    assert world.results.due_waiting(NOW.date()) == [status["result_id"]]


def test_a_record_whose_first_answer_was_lost_counts_as_held_by_koski(
    world: World, engine: Engine
) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    while world.jobs.results:
        batch, world.jobs.results = world.jobs.results, []
        grading.bind_results(batch, world.results, world.jobs, "winnova")
    [submission_id] = world.jobs.submissions
    lost = ScriptedKoski(KoskiAnswer(None, None, "ReadTimeout"))
    sent = grading.submit(submission_id, world.submissions, lost, lambda: NOW, actor="worker")
    assert sent.state is SubmissionState.PENDING  # no oid came back: KOSKI may hold it
    assert SqlCourses(engine, lambda: NOW).live_records(CODE) == 1
