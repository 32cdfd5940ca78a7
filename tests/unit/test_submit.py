"""Sending results to KOSKI against the in-memory grading ledger and a scripted KOSKI: what
each answer comes to, what is never sent, and who the audit trail names."""

from __future__ import annotations

import datetime as dt

import pytest

from consent import grading
from consent.errors import NotInvalidatable, UnreadableAnswer
from consent.hetu import Hetu
from consent.koski_answers import KoskiAnswer
from consent.model import AuditEntry, ConsentState, Person, SubmissionState
from consent.submissions import SubmissionChange
from tests.courses import course
from tests.fakes import InMemoryGrading, RecordingGradingJobs, ScriptedKoski
from tests.hetus import make_hetu

NOW = dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC)
ADULT = Person(Hetu(make_hetu(dt.date(1990, 5, 5))), "Aino", "Virtanen")
UNAVAILABLE = KoskiAnswer(503, None)
REVOKED = KoskiAnswer(403, [{"key": "forbidden.suostumusPeruttu", "message": "peruttu"}])
OID = "1.2.246.562.15.00000000001"


def queued(ledger: InMemoryGrading, person: Person = ADULT, code: str = "knoppi") -> int:
    """A consented, passed result bound: its submission's id, pending."""
    result_id = ledger.add(course(code=code), person, ConsentState.VALID)
    jobs = RecordingGradingJobs()
    grading.bind_results([result_id], ledger, jobs, "winnova")
    [submission_id] = jobs.submissions
    return submission_id


def send(ledger: InMemoryGrading, koski: ScriptedKoski, submission_id: int) -> grading.Sent:
    return grading.submit(submission_id, ledger, koski, lambda: NOW, (10, 30), actor="worker")


def test_a_first_send_stores_the_record_koski_names_and_the_payload_hash() -> None:
    ledger, koski = InMemoryGrading(), ScriptedKoski()
    submission_id = queued(ledger)
    assert send(ledger, koski, submission_id) == grading.Sent(SubmissionState.SENT)
    stored = ledger.submission(submission_id)
    assert (stored.state, stored.oid, stored.versionumero, stored.attempts) == (
        SubmissionState.SENT,
        OID,
        1,
        1,
    )
    assert (stored.sent_at, stored.last_status, stored.payload_hash is not None) == (NOW, 200, True)
    [payload] = koski.payloads
    assert payload["opiskeluoikeudet"][0]["lähdejärjestelmänId"]["id"] == stored.source_id


def test_koski_unavailable_schedules_a_retry_after_the_first_delay() -> None:
    ledger, koski = InMemoryGrading(), ScriptedKoski(UNAVAILABLE)
    submission_id = queued(ledger)
    sent = send(ledger, koski, submission_id)
    assert sent == grading.Sent(SubmissionState.PENDING, dt.timedelta(seconds=10))
    stored = ledger.submission(submission_id)
    assert (stored.next_attempt_at, stored.last_status) == (NOW + dt.timedelta(seconds=10), 503)


def test_retries_used_up_park_the_submission_for_staff() -> None:
    ledger, koski = InMemoryGrading(), ScriptedKoski(UNAVAILABLE, UNAVAILABLE, UNAVAILABLE)
    submission_id = queued(ledger)
    states = [send(ledger, koski, submission_id).state for _ in range(3)]
    assert states == [SubmissionState.PENDING, SubmissionState.PENDING, SubmissionState.PARKED]
    stored = ledger.submission(submission_id)
    assert (stored.attempts, stored.next_attempt_at) == (3, None)


def test_koski_saying_the_consent_was_revoked_stops_it_for_good() -> None:
    ledger, koski = InMemoryGrading(), ScriptedKoski(REVOKED)
    submission_id = queued(ledger)
    assert send(ledger, koski, submission_id).state is SubmissionState.REVOKED
    assert ledger.state.consents[1][2] is ConsentState.REVOKED
    assert ledger.state.revoked_by == {1: "koski"}
    assert ledger.submission(submission_id).last_error_keys == ("forbidden.suostumusPeruttu",)
    assert send(ledger, koski, submission_id).state is SubmissionState.REVOKED
    assert len(koski.payloads) == 1


def test_a_404_on_a_known_record_marks_it_deleted() -> None:
    ledger, koski = InMemoryGrading(), ScriptedKoski()
    submission_id = queued(ledger)
    send(ledger, koski, submission_id)
    corrected = SubmissionChange(state=SubmissionState.PENDING, payload_hash="before a correction")
    ledger.change(submission_id, corrected, "test")
    koski.answers.append(KoskiAnswer(404, [{"key": "notFound.opiskeluoikeuttaEiLöydy"}]))
    assert send(ledger, koski, submission_id).state is SubmissionState.DELETED
    assert ledger.submission(submission_id).oid == OID  # kept, as staff see it


def test_an_unchanged_payload_is_not_sent_again() -> None:
    ledger, koski = InMemoryGrading(), ScriptedKoski()
    submission_id = queued(ledger)
    send(ledger, koski, submission_id)
    ledger.change(submission_id, SubmissionChange(state=SubmissionState.PENDING), "test")
    assert send(ledger, koski, submission_id).state is SubmissionState.SENT
    assert len(koski.payloads) == 1
    assert ledger.submission(submission_id).attempts == 1


def test_missing_names_fail_the_submission_without_a_call() -> None:
    ledger, koski = InMemoryGrading(), ScriptedKoski()
    submission_id = queued(ledger, Person(ADULT.hetu, "", ""))
    assert send(ledger, koski, submission_id).state is SubmissionState.FAILED
    assert koski.payloads == []
    assert ledger.submission(submission_id).last_error_keys == ("local.nimetPuuttuvat",)


def test_a_consent_no_longer_valid_stops_the_submission_without_a_call() -> None:
    ledger, koski = InMemoryGrading(), ScriptedKoski()
    submission_id = queued(ledger)
    ledger.state.consents[1] = ("knoppi", 1, ConsentState.WITHDRAWN)
    assert send(ledger, koski, submission_id).state is SubmissionState.REVOKED
    assert koski.payloads == []


def test_a_200_that_names_no_record_fails_the_job_and_leaves_the_claim() -> None:
    ledger, koski = InMemoryGrading(), ScriptedKoski(KoskiAnswer(200, {"opiskeluoikeudet": []}))
    submission_id = queued(ledger)
    with pytest.raises(UnreadableAnswer):
        send(ledger, koski, submission_id)
    assert ledger.submission(submission_id).state is SubmissionState.IN_FLIGHT  # swept, sent again


def test_a_range_leaves_a_row_another_job_has_in_flight_and_rechecks_it_later() -> None:
    ledger, koski, jobs = InMemoryGrading(), ScriptedKoski(), RecordingGradingJobs()
    mine, theirs = queued(ledger), queued(ledger, code="toinen")
    assert ledger.claim(theirs, SubmissionState.PENDING, 0, "submit-range-9", "worker")
    recheck = dt.timedelta(minutes=1)
    states = grading.submit_range(
        mine, theirs, ledger, koski, jobs, lambda: NOW, (10,), recheck, run="r", actor="worker"
    )
    assert states == {mine: SubmissionState.SENT, theirs: SubmissionState.IN_FLIGHT}
    assert jobs.retries == [(theirs, recheck)]
    assert len(koski.payloads) == 1
    assert ledger.submission(theirs).claimed_by == "submit-range-9"


def test_koski_asking_to_wait_defers_the_rest_of_a_range() -> None:
    ledger, koski, jobs = InMemoryGrading(), ScriptedKoski(UNAVAILABLE), RecordingGradingJobs()
    first, rest = queued(ledger), queued(ledger, code="toinen")
    states = grading.submit_range(first, rest, ledger, koski, jobs, lambda: NOW, run="r", actor="w")
    wait = dt.timedelta(seconds=grading.RETRY_DELAYS[0])
    assert states == {first: SubmissionState.PENDING}
    assert jobs.retries == [(first, wait), (rest, wait)]
    assert ledger.submission(rest).next_attempt_at == NOW + wait
    assert len(koski.payloads) == 1


def test_a_staff_retry_is_audited_in_the_staff_member_s_name() -> None:
    ledger, jobs = InMemoryGrading(), RecordingGradingJobs()
    submission_id = queued(ledger)
    ledger.change(submission_id, SubmissionChange(state=SubmissionState.PARKED, attempts=8), "w")
    assert grading.retry(submission_id, ledger, jobs, "staff:maija")
    stored = ledger.submission(submission_id)
    assert (stored.state, stored.attempts, stored.next_attempt_at) == (
        SubmissionState.PENDING,
        0,
        None,
    )
    assert [(e.actor, e.action) for e in ledger.state.audit[-2:]] == [
        ("staff:maija", "submission.pending"),
        ("staff:maija", "submission.retry"),
    ]
    assert jobs.submissions == [submission_id]
    assert not grading.retry(submission_id, ledger, jobs, "staff:maija")  # pending: no retry


def test_invalidation_forgets_the_oid_and_audits_who_asked_and_why() -> None:
    ledger, koski = InMemoryGrading(), ScriptedKoski()
    submission_id = queued(ledger)
    send(ledger, koski, submission_id)
    state = grading.invalidate(
        submission_id, ledger, koski, lambda: NOW, actor="staff:maija", reason="wrong_person"
    )
    assert state is SubmissionState.INVALIDATED
    stored = ledger.submission(submission_id)
    assert (stored.oid, stored.versionumero, stored.payload_hash) == (None, None, None)
    jaksot = koski.payloads[-1]["opiskeluoikeudet"][0]["tila"]["opiskeluoikeusjaksot"]
    assert jaksot[-1]["tila"]["koodiarvo"] == "mitatoity"
    assert ledger.state.audit[-2:] == [
        AuditEntry(
            "staff:maija",
            "submission.invalidate",
            "submission",
            submission_id,
            {"reason": "wrong_person"},
        ),
        AuditEntry(
            "staff:maija", "submission.invalidated", "submission", submission_id, {"keys": []}
        ),
    ]


def test_a_failed_invalidation_keeps_the_record_and_its_oid() -> None:
    ledger, koski = InMemoryGrading(), ScriptedKoski()
    submission_id = queued(ledger)
    send(ledger, koski, submission_id)
    koski.answers.append(UNAVAILABLE)
    state = grading.invalidate(submission_id, ledger, koski, lambda: NOW, actor="cli")
    assert state is SubmissionState.SENT
    stored = ledger.submission(submission_id)
    assert (stored.state, stored.oid, stored.last_status) == (SubmissionState.SENT, OID, 503)


def test_only_a_record_that_reached_koski_can_be_invalidated() -> None:
    ledger, koski = InMemoryGrading(), ScriptedKoski()
    submission_id = queued(ledger)
    with pytest.raises(NotInvalidatable):
        grading.invalidate(submission_id, ledger, koski, lambda: NOW, actor="cli")
    assert koski.payloads == []
