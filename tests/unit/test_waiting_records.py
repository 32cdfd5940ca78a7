"""A result dated after today, against the in-memory grading ledger: it binds waiting, with no
submission; on its day binding it again queues its send; and a send that finds its record may
not go (it was bound before the result changed) sends nothing."""

from __future__ import annotations

import datetime as dt

from consent import grading
from consent.hetu import Hetu
from consent.model import ConsentState, Person, SubmissionState
from consent.results import GradedResult, ResultStatus
from tests.courses import course
from tests.fakes import InMemoryGrading, RecordingGradingJobs, ScriptedKoski
from tests.hetus import make_hetu

ADULT = Person(Hetu(make_hetu(dt.date(1990, 5, 5))), "Aino", "Virtanen")
LATER = course(end_date="2027-01-15")
PASSED = GradedResult("Hyväksytty", dt.date(2026, 12, 10), ResultStatus.COMPLETED, {})


def bound(ledger: InMemoryGrading, result_id: int) -> RecordingGradingJobs:
    jobs = RecordingGradingJobs()
    grading.bind_results([result_id], ledger, jobs, "winnova")
    return jobs


def test_a_result_dated_after_today_waits_without_a_submission_until_its_day() -> None:
    ledger = InMemoryGrading()  # binds on 2026-12-20
    result_id = ledger.add(LATER, ADULT, ConsentState.VALID, PASSED)
    assert bound(ledger, result_id).submissions == []
    assert ledger.state.results[result_id].binding == "waiting_for_end"
    assert ledger.state.submissions == {}
    ledger.today = dt.date(2027, 1, 15)
    assert len(bound(ledger, result_id).submissions) == 1
    assert ledger.state.results[result_id].binding == "eligible"


def test_a_send_whose_record_may_no_longer_go_sends_nothing() -> None:
    ledger, koski = InMemoryGrading(), ScriptedKoski()
    result_id = ledger.add(course(), ADULT, ConsentState.VALID, PASSED)
    [submission_id] = bound(ledger, result_id).submissions
    failed = GradedResult("Hylätty", dt.date(2026, 12, 11), ResultStatus.COMPLETED, {})
    ledger.state.results[result_id].result = failed  # regraded; its binding has not run yet
    now = dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC)
    sent = grading.submit(submission_id, ledger, koski, lambda: now, actor="worker")
    assert koski.payloads == []
    assert sent.state is SubmissionState.WITHDRAWN  # it never reached KOSKI
