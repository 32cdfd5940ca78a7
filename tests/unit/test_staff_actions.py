"""The staff actions against the in-memory fakes: each names its actor (and reason) in the
audit trail, and each refusal is a domain error that changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest

from consent import staff_actions
from consent.errors import (
    ConnectorOff,
    CourseRejected,
    InvalidCourse,
    NothingToRetry,
    NotInvalidatable,
    UnknownCourse,
    UnknownInvalidationReason,
    UploadExpired,
)
from consent.hetu import Hetu
from consent.import_files import EnrolmentRejected, ImportRejected
from consent.model import ConsentState, Person, SubmissionState
from consent.staff import COMMAND_LINE, Actor
from consent.staff_actions import Signing, StaffServices
from tests.courses import course, course_doc
from tests.fakes import (
    InMemoryCourses,
    InMemoryEnrolments,
    InMemoryGrading,
    InMemoryPendingImports,
    InMemoryResults,
    RecordingGradingJobs,
    ScriptedKoski,
    StoredSubmission,
)
from tests.hetus import make_hetu

NOW = dt.datetime(2026, 12, 20, 12, 0, tzinfo=dt.UTC)
MAIJA = Actor.staff("maija")
CODE = "knoppi-2026-syksy"
ADULT = make_hetu(dt.date(1990, 5, 5))
MINOR = make_hetu(dt.date(2012, 5, 5))
OID = "1.2.246.562.15.00000000001"


class World:
    """The staff services over fakes, with one course defined."""

    def __init__(self, connector: bool = True) -> None:
        self.courses = InMemoryCourses(course())
        self.results = InMemoryResults()
        self.grading = InMemoryGrading()
        self.jobs = RecordingGradingJobs()
        self.koski = ScriptedKoski()
        self.pending = InMemoryPendingImports()
        self.enrolments = InMemoryEnrolments()
        signing = Signing(self.enrolments, self.enrolments.invited.append, 30)
        self.services = StaffServices(
            courses=self.courses,
            results=self.results,
            submissions=self.grading,
            jobs=self.jobs,
            koski=self.koski,
            pending=self.pending,
            clock=lambda: NOW,
            signing=signing if connector else None,
        )

    def submission(self, state: SubmissionState, oid: str | None = None) -> int:
        """A submission in ``state`` of a valid consent's result; its id."""
        person = Person(Hetu(ADULT), "Aino", "Virtanen")
        result_id = self.grading.add(course(), person, ConsentState.VALID)
        self.grading.state.results[result_id].consent_id = 1
        submission_id = len(self.grading.state.submissions) + 1
        self.grading.state.submissions[submission_id] = StoredSubmission(
            result_id, f"vstc-{submission_id}", "1.2.246.562.10.1", state=state, oid=oid
        )
        return submission_id


def results_csv(*hetus: str) -> bytes:
    lines = [f"{hetu},Hyväksytty,2026-12-10,Aino,Virtanen" for hetu in hetus]
    return "\n".join(["hetu,grade,graded_on,first_names,last_name", *lines]).encode()


def as_json(document: object) -> bytes:
    return json.dumps(document).encode()


def test_a_course_document_that_is_not_strict_json_is_rejected_and_nothing_saved() -> None:
    world = World()
    for body in (b"{", b'{"code": "\\u0000"}', b"[" * 40 + b"]" * 40):
        with pytest.raises(CourseRejected) as rejected:
            staff_actions.save_course_document(world.services, body, MAIJA)
        assert [p["field"] for p in rejected.value.problems] == ["(body)"]
    assert world.courses.audit == []


def test_a_course_document_is_saved_in_the_actor_s_name() -> None:
    world = World()
    saved = staff_actions.save_course_document(
        world.services, as_json(course_doc(code="uusi-2027")), MAIJA, "uusi-2027"
    )
    assert saved.code == "uusi-2027"
    assert world.courses.find_course("uusi-2027") == saved
    assert [(e.actor, e.action) for e in world.courses.audit] == [("staff:maija", "course.saved")]


def test_a_course_document_against_the_schema_is_rejected_naming_the_field() -> None:
    world = World()
    with pytest.raises(CourseRejected) as rejected:
        staff_actions.save_course_document(
            world.services, as_json(course_doc(language="XX")), MAIJA
        )
    assert [p["field"] for p in rejected.value.problems] == ["language"]
    assert world.courses.audit == []


def test_a_course_whose_code_differs_from_the_address_is_invalid_and_not_saved() -> None:
    world = World()
    with pytest.raises(InvalidCourse) as invalid:
        staff_actions.save_course_document(
            world.services, as_json(course_doc()), MAIJA, "toinen-2026"
        )
    assert (invalid.value.field, invalid.value.reason) == (
        "code",
        "differs from the code in the address",
    )
    assert world.courses.audit == []


def test_results_for_an_unknown_course_are_refused_as_unknown_course() -> None:
    world = World()
    with pytest.raises(UnknownCourse):
        staff_actions.import_results(world.services, "ei-ole", results_csv(ADULT), "csv", MAIJA)
    assert world.jobs.results == []


def test_an_import_names_its_actor_and_queues_the_binding_of_what_changed() -> None:
    world = World()
    summary = staff_actions.import_results(
        world.services, CODE, results_csv(ADULT), "csv", COMMAND_LINE
    )
    assert (summary.changed, summary.unchanged) == (1, 0)
    assert world.jobs.results == [1]
    assert [e.actor for e in world.results.audit] == ["cli"]
    again = staff_actions.import_results(world.services, CODE, results_csv(ADULT), "csv", MAIJA)
    assert (again.changed, again.unchanged) == (0, 1)


def test_a_results_file_with_a_bad_row_imports_nothing() -> None:
    world = World()
    with pytest.raises(ImportRejected):
        staff_actions.import_results(
            world.services, CODE, results_csv(ADULT, "010190-1234"), "csv", MAIJA
        )
    assert world.results.hashes == {}
    assert world.jobs.results == []


def test_a_checked_file_is_previewed_held_and_imported_once_on_confirmation() -> None:
    world = World()
    preview = staff_actions.preview_results(world.services, CODE, results_csv(ADULT), "csv", MAIJA)
    assert preview.counts == {"new": 1, "changed": 0, "unchanged": 0}
    assert world.results.hashes == {}
    summary = staff_actions.confirm_results(world.services, CODE, preview.upload_id, MAIJA)
    assert summary.changed == 1
    with pytest.raises(UploadExpired):
        staff_actions.confirm_results(world.services, CODE, preview.upload_id, MAIJA)


def test_a_checked_file_is_confirmed_only_by_whoever_checked_it() -> None:
    world = World()
    preview = staff_actions.preview_results(world.services, CODE, results_csv(ADULT), "csv", MAIJA)
    with pytest.raises(UploadExpired):
        staff_actions.confirm_results(world.services, CODE, preview.upload_id, Actor.staff("pekka"))
    assert world.results.hashes == {}


def test_an_invalidation_names_the_actor_and_the_reason() -> None:
    world = World()
    sent = world.submission(SubmissionState.SENT, OID)
    state = staff_actions.invalidate(world.services, sent, MAIJA, "wrong_result")
    assert state is SubmissionState.INVALIDATED
    entry = next(e for e in world.grading.state.audit if e.action == "submission.invalidate")
    assert (entry.actor, entry.details) == ("staff:maija", {"reason": "wrong_result"})


def test_an_invalidation_of_a_record_never_sent_is_not_invalidatable_and_changes_nothing() -> None:
    world = World()
    failed = world.submission(SubmissionState.FAILED)
    with pytest.raises(NotInvalidatable):
        staff_actions.invalidate(world.services, failed, COMMAND_LINE)
    assert world.grading.submission(failed).state is SubmissionState.FAILED
    assert world.koski.payloads == []
    assert world.grading.state.audit == []


def test_an_unknown_invalidation_reason_is_refused_before_anything_is_sent() -> None:
    world = World()
    sent = world.submission(SubmissionState.SENT, OID)
    with pytest.raises(UnknownInvalidationReason):
        staff_actions.invalidate(world.services, sent, MAIJA, "Aino Virtanen asked")
    assert world.koski.payloads == []
    assert world.grading.submission(sent).state is SubmissionState.SENT


def test_a_retry_of_a_sent_record_is_nothing_to_retry() -> None:
    world = World()
    sent = world.submission(SubmissionState.SENT, OID)
    with pytest.raises(NothingToRetry):
        staff_actions.retry(world.services, sent, MAIJA)
    assert world.jobs.submissions == []
    assert world.grading.state.audit == []


def test_a_retry_of_a_parked_record_is_audited_in_the_actor_s_name_and_queued() -> None:
    world = World()
    parked = world.submission(SubmissionState.PARKED)
    staff_actions.retry(world.services, parked, MAIJA)
    assert world.grading.submission(parked).state is SubmissionState.PENDING
    assert world.jobs.submissions == [parked]
    assert {e.actor for e in world.grading.state.audit} == {"staff:maija"}


def test_a_revocation_names_whoever_registered_it() -> None:
    world = World()
    sent = world.submission(SubmissionState.SENT, OID)
    assert staff_actions.revoke(world.services, 1, Actor.staff("pekka")) == [sent]
    assert world.grading.state.revoked_by == {1: "staff:pekka"}


def test_enrolling_with_the_connector_off_is_connector_off_and_enrols_nobody() -> None:
    world = World(connector=False)
    body = f"hetu,first_names,last_name\n{ADULT},Aino,Virtanen\n".encode()
    with pytest.raises(ConnectorOff):
        staff_actions.enrol(world.services, CODE, body, "csv", MAIJA)
    with pytest.raises(ConnectorOff):
        staff_actions.enrolments(world.services, CODE)
    assert world.enrolments.enrolled == {}


def test_enrolling_invites_each_new_participant_once() -> None:
    world = World()
    body = f"hetu,first_names,last_name\n{ADULT},Aino,Virtanen\n".encode()
    first = staff_actions.enrol(world.services, CODE, body, "csv", MAIJA)
    again = staff_actions.enrol(world.services, CODE, body, "csv", MAIJA)
    assert (first, again) == (staff_actions.Enrolled(1, 0), staff_actions.Enrolled(0, 1))
    assert world.enrolments.invited == [1]
    assert [e.actor for e in world.enrolments.audit] == ["staff:maija", "staff:maija"]


def test_an_enrolment_file_with_a_minor_and_no_guardian_enrols_nobody() -> None:
    world = World()
    body = f"hetu,first_names,last_name\n{ADULT},Aino,Virtanen\n{MINOR},Onni,Korhonen\n"
    with pytest.raises(EnrolmentRejected) as rejected:
        staff_actions.enrol(world.services, CODE, body.encode(), "csv", MAIJA)
    assert [(e.row, e.field) for e in rejected.value.errors] == [(2, "guardian_hetu")]
    assert world.enrolments.invited == []


def test_a_checked_enrolment_file_enrols_nobody_until_confirmed_and_then_once() -> None:
    world = World()
    body = f"hetu;first_names;last_name;email\r\n{ADULT};Aino;Mäki;a@example.fi\r\n"
    preview = staff_actions.preview_enrolment(
        world.services, CODE, body.encode("cp1252"), "csv", MAIJA
    )
    [line] = preview.lines
    assert (line.row, line.guardian_signs, line.reachable) == (1, False, True)
    assert ADULT not in line.participant.hetu
    assert (world.enrolments.enrolled, world.enrolments.invited) == ({}, [])
    with pytest.raises(UploadExpired):  # another's upload is not theirs to confirm
        staff_actions.confirm_enrolment(world.services, CODE, preview.upload_id, Actor.staff("o"))
    enrolled = staff_actions.confirm_enrolment(world.services, CODE, preview.upload_id, MAIJA)
    assert enrolled == staff_actions.Enrolled(1, 0)
    assert world.enrolments.invited == [1]
    with pytest.raises(UploadExpired):  # confirmed once only
        staff_actions.confirm_enrolment(world.services, CODE, preview.upload_id, MAIJA)


def test_a_results_upload_is_never_confirmed_as_an_enrolment_file() -> None:
    world = World()
    body = f"hetu,grade,graded_on,first_names,last_name\n{ADULT},Hyväksytty,1.12.2026,A,V\n"
    preview = staff_actions.preview_results(world.services, CODE, body.encode(), "csv", MAIJA)
    with pytest.raises(UploadExpired):
        staff_actions.confirm_enrolment(world.services, CODE, preview.upload_id, MAIJA)
    assert world.enrolments.enrolled == {}


def test_an_enrolment_needs_a_defined_course_unless_the_cli_says_otherwise() -> None:
    world = World()
    body = f"hetu,first_names,last_name\n{ADULT},Aino,Virtanen\n".encode()
    with pytest.raises(UnknownCourse):
        staff_actions.enrol(world.services, "tuleva-2027", body, "csv", MAIJA)
    enrolled = staff_actions.enrol(
        world.services, "tuleva-2027", body, "csv", COMMAND_LINE, defined_course=False
    )
    assert enrolled == staff_actions.Enrolled(1, 0)


def test_a_long_staff_name_is_cut_to_the_audit_column() -> None:
    assert len(Actor.staff("m" * 64).audit_name) == 64
    assert replace(MAIJA, audit_name="cli") == COMMAND_LINE
