"""Binding results against the in-memory grading ledger: the core decides eligibility and what
happens to a result's submission; the fake only stores it."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from consent import grading
from consent.errors import BindingFailed
from consent.hetu import Hetu
from consent.model import ConsentState, Person, SubmissionState
from consent.results import GradedResult, ResultStatus
from consent.submissions import SubmissionChange
from tests.courses import course
from tests.fakes import InMemoryGrading, RecordingGradingJobs
from tests.hetus import make_hetu

ADULT = Person(Hetu(make_hetu(dt.date(1990, 5, 5))), "Aino", "Virtanen")
LATER = dt.datetime(2026, 12, 21, 9, 0, tzinfo=dt.UTC)


def bound(ledger: InMemoryGrading, *result_ids: int) -> tuple[dict[str, int], RecordingGradingJobs]:
    jobs = RecordingGradingJobs()
    return grading.bind_results(result_ids, ledger, jobs, "winnova"), jobs


def test_an_eligible_result_gets_a_pending_submission_with_a_fresh_source_id() -> None:
    ledger = InMemoryGrading()
    result_id = ledger.add(course(), ADULT, ConsentState.VALID)
    counts, jobs = bound(ledger, result_id)
    assert counts == {"eligible": 1}
    [submission_id] = jobs.submissions
    stored = ledger.submission(submission_id)
    assert (stored.state, stored.attempts, stored.source_system) == (
        SubmissionState.PENDING,
        0,
        "winnova",
    )
    assert re.fullmatch(r"vstc-[0-9a-f]{32}", stored.source_id)


@pytest.mark.parametrize(
    ("consent", "binding"),
    [
        (None, "no_consent"),
        (ConsentState.REJECTED, "consent_rejected"),
        (ConsentState.REVOKED, "consent_revoked"),
    ],
)
def test_a_result_without_a_valid_consent_gets_no_submission(
    consent: ConsentState | None, binding: str
) -> None:
    ledger = InMemoryGrading()
    result_id = ledger.add(course(), ADULT, consent)
    counts, jobs = bound(ledger, result_id)
    assert counts == {binding: 1}
    assert jobs.submissions == []
    assert ledger.state.submissions == {}
    assert ledger.state.results[result_id].binding == binding


def _bound_once(ledger: InMemoryGrading, change: SubmissionChange) -> tuple[int, int]:
    """A result bound once and its submission changed so: (result id, submission id)."""
    result_id = ledger.add(course(), ADULT, ConsentState.VALID)
    _, jobs = bound(ledger, result_id)
    [submission_id] = jobs.submissions
    ledger.change(submission_id, change, "test")
    return result_id, submission_id


def test_binding_a_sent_result_again_makes_it_a_first_send_again() -> None:
    ledger = InMemoryGrading()
    sent = SubmissionChange(state=SubmissionState.SENT, attempts=3, next_attempt_at=LATER)
    result_id, submission_id = _bound_once(ledger, sent)
    _, jobs = bound(ledger, result_id)
    assert jobs.submissions == [submission_id]
    stored = ledger.submission(submission_id)
    assert (stored.state, stored.attempts, stored.next_attempt_at) == (
        SubmissionState.PENDING,
        0,
        None,
    )


def test_binding_a_pending_result_again_keeps_the_time_of_its_retry() -> None:
    ledger = InMemoryGrading()
    waiting = SubmissionChange(attempts=2, next_attempt_at=LATER)
    result_id, submission_id = _bound_once(ledger, waiting)
    bound(ledger, result_id)
    stored = ledger.submission(submission_id)
    assert (stored.state, stored.attempts, stored.next_attempt_at) == (
        SubmissionState.PENDING,
        0,
        LATER,
    )


def test_binding_again_leaves_a_submission_in_flight_to_its_sender() -> None:
    ledger = InMemoryGrading()
    in_flight = SubmissionChange(state=SubmissionState.IN_FLIGHT, attempts=1)
    result_id, submission_id = _bound_once(ledger, in_flight)
    _, jobs = bound(ledger, result_id)
    assert jobs.submissions == [submission_id]
    stored = ledger.submission(submission_id)
    assert (stored.state, stored.attempts) == (SubmissionState.IN_FLIGHT, 1)


@pytest.mark.parametrize("stopped", [SubmissionState.REVOKED, SubmissionState.DELETED])
def test_a_stopped_submission_is_never_made_pending_again(stopped: SubmissionState) -> None:
    ledger = InMemoryGrading()
    result_id, submission_id = _bound_once(ledger, SubmissionChange(state=stopped))
    counts, jobs = bound(ledger, result_id)
    assert counts == {"eligible": 1}
    assert jobs.submissions == []
    assert ledger.submission(submission_id).state is stopped


def test_a_result_that_fails_to_bind_holds_up_none_of_its_batch() -> None:
    ledger = InMemoryGrading()
    broken = ledger.add(course(), ADULT, ConsentState.VALID)
    other = ledger.add(course(code="toinen-kurssi"), ADULT, ConsentState.VALID)
    ledger.broken.add(broken)
    jobs = RecordingGradingJobs()
    with pytest.raises(BindingFailed) as failed:
        grading.bind_results([broken, other], ledger, jobs, "winnova")
    assert failed.value.errors == {broken: "TimeoutError"}
    assert failed.value.done == {other: "eligible"}
    assert len(jobs.submissions) == 1
    assert ledger.state.results[broken].binding == "pending"  # rolled back, bound next time


LIVE = SubmissionChange(state=SubmissionState.SENT, oid="1.2.246.562.15.00000000001")
FAILED_GRADE = GradedResult("Hylätty", dt.date(2026, 12, 10), ResultStatus.COMPLETED, {})


def _regraded(ledger: InMemoryGrading, result_id: int, result: GradedResult) -> None:
    ledger.state.results[result_id].result = result


def test_a_sent_record_whose_result_is_regraded_to_failed_needs_attention_and_stays() -> None:
    ledger = InMemoryGrading()
    result_id, submission_id = _bound_once(ledger, LIVE)
    _regraded(ledger, result_id, FAILED_GRADE)
    counts, jobs = bound(ledger, result_id)
    assert counts == {"not_passed": 1}
    assert jobs.submissions == []
    stored = ledger.submission(submission_id)
    assert (stored.state, stored.attention) == (SubmissionState.ATTENTION, "not_passed")
    assert stored.oid == LIVE.oid  # nothing invalidated: staff decide


def test_a_sent_record_whose_consent_is_found_rejected_needs_attention() -> None:
    ledger = InMemoryGrading()
    result_id, submission_id = _bound_once(ledger, LIVE)
    code, participant_id, _ = ledger.state.consents[1]
    ledger.state.consents[1] = (code, participant_id, ConsentState.REJECTED)
    bound(ledger, result_id)
    stored = ledger.submission(submission_id)
    assert (stored.state, stored.attention) == (SubmissionState.ATTENTION, "consent_rejected")


def test_a_revoked_consent_is_no_contradiction() -> None:
    ledger = InMemoryGrading()
    result_id, submission_id = _bound_once(ledger, LIVE)
    code, participant_id, _ = ledger.state.consents[1]
    ledger.state.consents[1] = (code, participant_id, ConsentState.REVOKED)
    bound(ledger, result_id)
    assert ledger.submission(submission_id).state is SubmissionState.SENT


def test_a_record_never_sent_whose_result_may_no_longer_go_is_withdrawn() -> None:
    ledger = InMemoryGrading()
    result_id, submission_id = _bound_once(ledger, SubmissionChange(state=SubmissionState.FAILED))
    _regraded(ledger, result_id, FAILED_GRADE)
    bound(ledger, result_id)
    assert ledger.submission(submission_id).state is SubmissionState.WITHDRAWN


def test_a_record_in_doubt_regraded_to_passed_is_sent_again_with_nothing_in_doubt() -> None:
    ledger = InMemoryGrading()
    result_id, submission_id = _bound_once(ledger, LIVE)
    passed = ledger.state.results[result_id].result
    _regraded(ledger, result_id, FAILED_GRADE)
    bound(ledger, result_id)
    _regraded(ledger, result_id, passed)
    _, jobs = bound(ledger, result_id)
    assert jobs.submissions == [submission_id]
    stored = ledger.submission(submission_id)
    assert (stored.state, stored.attention) == (SubmissionState.PENDING, None)


def test_an_invalidated_record_is_not_sent_again_by_binding_its_result_again() -> None:
    ledger = InMemoryGrading()
    result_id = ledger.add(course(), ADULT, ConsentState.VALID)
    _, jobs = bound(ledger, result_id)
    [submission_id] = jobs.submissions
    ledger.state.submissions[submission_id].state = SubmissionState.INVALIDATED
    counts, again = bound(ledger, result_id)  # a new consent event, a corrected row …
    assert counts == {"eligible": 1}
    assert again.submissions == []  # only staff send it again (send again)
    assert ledger.submission(submission_id).state is SubmissionState.INVALIDATED
