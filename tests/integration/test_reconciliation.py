"""Reconciliation in the SQL ledger against the KOSKI sandbox over HTTP (SQLite, PostgreSQL):
a participant's revocation in Oma Opintopolku is noticed by the next check, and nothing is
sent again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine

from consent import grading, reconciliation
from consent.adapters.sql.record_checks import SqlRecordChecks
from consent.config import ReconcileSettings
from consent.model import SubmissionState
from consent.reconciliation import Check
from consent.submissions import GONE_FROM_KOSKI
from tests.integration import test_grading
from tests.integration.test_grading import ADULT, GUARDIAN, MINOR, NOW, World, row

world = test_grading.world  # the same world: a course, the SQL ledger and a sandbox over HTTP
LATER = NOW + dt.timedelta(days=2)
DAILY = ReconcileSettings(dt.timedelta(days=1), 200, dt.timedelta(0))


def rows_by_hetu(world: World) -> dict[str, dict[str, Any]]:
    return {r["participant"]["hetu"][-4:]: r for r in world.course_status("knoppi-2026-syksy")}


def test_a_record_the_participant_revoked_in_koski_is_marked_gone_by_the_next_check(
    world: World, engine: Engine
) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.consent(MINOR, GUARDIAN, "m2")
    world.import_rows([row(ADULT), row(MINOR)])
    assert world.work() == [SubmissionState.SENT, SubmissionState.SENT]
    subs = {h: r["submission"] for h, r in rows_by_hetu(world).items()}
    adult, minor = subs[ADULT["hetu"][-4:]], subs[MINOR["hetu"][-4:]]
    world.sandbox.revoke(adult["oid"])  # the participant, in Oma Opintopolku
    before = world.sandbox.stored()
    checks = SqlRecordChecks(engine)
    due = reconciliation.due(checks, DAILY, lambda: LATER)
    assert sorted(due) == sorted([adult["id"], minor["id"]])
    checked = reconciliation.reconcile(
        due, world.submissions, checks, world.koski, lambda: LATER, lambda: None
    )
    assert checked == {adult["id"]: Check.GONE, minor["id"]: Check.FOUND}
    after = rows_by_hetu(world)
    gone = after[ADULT["hetu"][-4:]]["submission"]
    assert (gone["state"], gone["last_status"]) == ("deleted", 404)
    assert world.submissions.send_view(adult["id"]).state is SubmissionState.DELETED
    assert after[MINOR["hetu"][-4:]]["submission"]["state"] == "sent"
    assert world.sandbox.stored() == before  # a check sends nothing
    assert reconciliation.due(checks, DAILY, lambda: LATER) == []  # found: not due for a day


def test_a_record_found_gone_is_never_sent_again_by_an_import_or_a_send(
    world: World, engine: Engine
) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    world.work()
    [status] = world.course_status("knoppi-2026-syksy")
    submission_id, oid = status["submission"]["id"], str(status["submission"]["oid"])
    world.sandbox.revoke(oid)
    checks = SqlRecordChecks(engine)
    reconciliation.reconcile(
        [submission_id], world.submissions, checks, world.koski, lambda: LATER, lambda: None
    )
    view = world.submissions.send_view(submission_id)
    assert view.state is SubmissionState.DELETED
    world.import_rows([row(ADULT, "hyväksytty", graded_on="2026-12-11")])  # a change to send
    assert world.work() == []
    sent = grading.submit(submission_id, world.submissions, world.koski, lambda: LATER, actor="w")
    assert sent.state is SubmissionState.DELETED
    assert world.sandbox.stored() == []
    assert reconciliation.due(checks, DAILY, lambda: LATER + dt.timedelta(days=9)) == []


def test_a_check_that_finds_the_record_is_kept_only_while_the_submission_names_it(
    world: World, engine: Engine
) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    world.work()
    [status] = world.course_status("knoppi-2026-syksy")
    submission_id = status["submission"]["id"]
    checks = SqlRecordChecks(engine)
    checks.found(submission_id, "1.2.246.562.15.99999999999", LATER)  # another record's oid
    assert checks.due_checks(LATER - dt.timedelta(days=1), 10) == [submission_id]
    checks.found(submission_id, str(status["submission"]["oid"]), LATER)
    assert checks.due_checks(LATER - dt.timedelta(days=1), 10) == []
    assert checks.due_checks(LATER + dt.timedelta(seconds=1), 10) == [submission_id]


def test_the_message_of_a_record_gone_from_koski_says_why(world: World, engine: Engine) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    world.work()
    [status] = world.course_status("knoppi-2026-syksy")
    submission_id = status["submission"]["id"]
    world.sandbox.revoke(str(status["submission"]["oid"]))
    reconciliation.reconcile(
        [submission_id],
        world.submissions,
        SqlRecordChecks(engine),
        world.koski,
        lambda: LATER,
        lambda: None,
    )
    [after] = world.course_status("knoppi-2026-syksy")
    assert after["submission"]["last_error_keys"] == [
        "notFound.opiskeluoikeuttaEiLöydyTaiEiOikeuksia"
    ]
    assert after["submission"]["last_error_message"] == GONE_FROM_KOSKI
