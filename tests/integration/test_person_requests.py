"""Removal on request (SQLite and PostgreSQL, KOSKI the sandbox): a result removed with no
KOSKI history is gone; one whose record KOSKI holds needs attention until staff invalidate
it, its history kept, and nothing of it is ever sent again; an enrolment's contact deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from consent import grading, staff_actions
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.enrolments import SqlEnrolments
from consent.enrolments import EnrolmentRow
from consent.errors import NotFound, UnknownRemovalReason
from consent.hetu import Hetu
from consent.model import Person, SubmissionState
from tests.courses import course
from tests.integration import test_grading
from tests.integration.test_grading import ADULT, NOW, World, row
from tests.integration.test_person_export import MAIJA, people_services
from tests.sql_ledger import SqlLedgerForTests

world = test_grading.world  # a ledger, its queues and the KOSKI sandbox
COURSE = "knoppi-2026-syksy"


def test_a_result_with_no_koski_history_is_deleted_and_the_removal_audited(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    world.import_rows([row(ADULT)])  # no consent: nothing goes to KOSKI
    world.work()
    [status] = world.course_status(COURSE)
    services = people_services(world, engine, cipher)
    removed = staff_actions.remove_result(services, status["result_id"], MAIJA, "wrong_person")
    assert removed == staff_actions.Removed(deleted=True, submission_id=None, record_live=False)
    assert world.course_status(COURSE) == []
    ledger = SqlLedgerForTests(engine, cipher)
    participant_id = ledger.find_participant(Hetu(ADULT["hetu"]))
    assert participant_id is not None
    [entry] = [
        e for e in ledger.audit_trail("participant", participant_id) if "removed" in e.action
    ]
    assert (entry.actor, entry.action) == ("staff:maija", "result.removed")
    assert entry.details == {
        "result_id": status["result_id"],
        "reason": "wrong_person",
        "submission_id": None,
    }
    with pytest.raises(NotFound):  # removed already
        staff_actions.remove_result(services, status["result_id"], MAIJA, "wrong_person")


def test_a_removed_result_whose_record_koski_holds_needs_attention_and_is_never_sent_again(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    assert world.work() == [SubmissionState.SENT]
    [status] = world.course_status(COURSE)
    submission_id = status["submission"]["id"]
    services = people_services(world, engine, cipher)
    removed = staff_actions.remove_result(services, status["result_id"], MAIJA, "person_asked")
    assert removed == staff_actions.Removed(False, submission_id, record_live=True)
    [status] = world.course_status(COURSE)
    assert (status["binding"], status["submission"]["state"]) == ("removed", "attention")
    assert status["submission"]["attention"] == "removed"
    # Binding it again (a course edit, a consent signed anew) keeps it removed.
    SqlCourses(engine, lambda: NOW).save_course(course(end_date="2026-12-14"), "test")
    world.jobs.results.append(status["result_id"])
    world.consent(ADULT, ADULT, "m2")
    assert world.work() == []
    [status] = world.course_status(COURSE)
    assert (status["binding"], status["submission"]["state"]) == ("removed", "attention")
    # Staff invalidate it; sending it again by hand sends nothing of a removed result.
    state = staff_actions.invalidate(services, submission_id, MAIJA, "wrong_person")
    assert state is SubmissionState.INVALIDATED
    staff_actions.send_again(services, submission_id, MAIJA)
    assert world.work() == [SubmissionState.WITHDRAWN]
    assert world.sandbox.stored() == []  # the invalidated record is gone, nothing new came
    trail = SqlLedgerForTests(engine, cipher).audit_trail("submission", submission_id)
    actions = [e.action for e in trail]  # the history is kept, the removal in it
    assert actions[:3] == ["submission.in_flight", "submission.sent", "submission.attention"]
    assert "submission.invalidated" in actions


def test_a_removed_result_that_never_reached_koski_is_withdrawn_before_it_is_sent(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    grading.bind_results(world.jobs.results, world.results, world.jobs, "winnova")
    world.jobs.results = []
    [status] = world.course_status(COURSE)
    assert status["submission"]["state"] == "pending"  # queued, not sent yet
    services = people_services(world, engine, cipher)
    removed = staff_actions.remove_result(services, status["result_id"], MAIJA, "wrong_person")
    assert removed.record_live is False
    assert world.work() == []  # the queued send finds nothing waiting to go
    assert world.sandbox.stored() == []
    [status] = world.course_status(COURSE)
    assert (status["binding"], status["submission"]["state"]) == ("removed", "withdrawn")


def test_a_removal_needs_a_reason_code_and_changes_nothing_without_one(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    world.import_rows([row(ADULT)])
    world.work()
    [status] = world.course_status(COURSE)
    services = people_services(world, engine, cipher)
    for reason in (None, "Aino asked"):
        with pytest.raises(UnknownRemovalReason):
            staff_actions.remove_result(services, status["result_id"], MAIJA, reason)
    assert world.course_status(COURSE) == [status]


def test_importing_a_removed_result_again_brings_it_back(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    world.work()
    [status] = world.course_status(COURSE)
    services = people_services(world, engine, cipher)
    staff_actions.remove_result(services, status["result_id"], MAIJA, "wrong_person")
    assert world.import_rows([row(ADULT)]) == grading.ImportSummary(1, 0)  # not "unchanged"
    world.work()
    [status] = world.course_status(COURSE)
    assert status["binding"] == "eligible"


def test_deleting_an_enrolments_contact_forgets_it_and_is_audited(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    enrolments = SqlEnrolments(engine, cipher, lambda: NOW)
    adult = Person(Hetu(ADULT["hetu"]), ADULT["first_names"], ADULT["last_name"])
    contact = {"email": "aino@example.invalid", "sms": "+358401234567"}
    (enrolment_id,), _ = enrolments.enrol(
        COURSE, [EnrolmentRow(adult, adult, contact)], NOW + dt.timedelta(days=30), "test"
    )
    services = people_services(world, engine, cipher)
    staff_actions.delete_contact(services, enrolment_id, MAIJA)
    assert enrolments.get(enrolment_id).contact == {}
    trail = SqlLedgerForTests(engine, cipher).audit_trail("enrolment", enrolment_id)
    assert [(e.actor, e.action) for e in trail] == [("staff:maija", "enrolment.contact_deleted")]
    export = staff_actions.export_person(services, ADULT["hetu"], MAIJA)
    assert [e.contact for e in export.enrolments] == [{}]
    with pytest.raises(NotFound):
        staff_actions.delete_contact(services, enrolment_id + 1, MAIJA)
