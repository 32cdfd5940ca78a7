"""Reconciliation against the in-memory grading ledger and a KOSKI that holds some records:
what is due, what each answer to a read comes to, and that nothing is ever sent."""

from __future__ import annotations

import datetime as dt

from consent import grading, reconciliation
from consent.config import ReconcileSettings
from consent.hetu import Hetu
from consent.koski_answers import KoskiAnswer
from consent.model import ConsentState, Person, SubmissionState
from consent.reconciliation import Check
from consent.submissions import GONE_FROM_KOSKI
from tests.courses import course
from tests.fakes import (
    InMemoryGrading,
    InMemoryRecordChecks,
    KoskiHolding,
    RecordingGradingJobs,
    ScriptedKoski,
)
from tests.hetus import make_hetu

NOW = dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
DAILY = ReconcileSettings(DAY, 200, dt.timedelta(milliseconds=500))
REVOKED = KoskiAnswer(403, [{"key": "forbidden.suostumusPeruttu", "message": "peruttu"}])


def sent(ledger: InMemoryGrading, at: dt.datetime, oid: str) -> int:
    """A consented, passed result sent to KOSKI at ``at`` as record ``oid``; its submission."""
    hetu = Hetu(make_hetu(dt.date(1990, 5, 5) + dt.timedelta(days=len(ledger.state.people))))
    result_id = ledger.add(course(), Person(hetu, "Aino", "Virtanen"), ConsentState.VALID)
    jobs = RecordingGradingJobs()
    grading.bind_results([result_id], ledger, jobs, "vst-consent-sandbox")
    [submission_id] = jobs.submissions
    grading.submit(submission_id, ledger, ScriptedKoski(), lambda: at, actor="worker")
    ledger.submission(submission_id).oid = oid
    return submission_id


def check(
    ledger: InMemoryGrading, koski: KoskiHolding, *ids: int, pauses: list[int] | None = None
) -> dict[int, Check]:
    tally = pauses if pauses is not None else []
    checks = InMemoryRecordChecks(ledger)
    return reconciliation.reconcile(
        ids, ledger, checks, koski, lambda: NOW, lambda: tally.append(1)
    )


def test_a_record_koski_still_holds_is_found_and_nothing_else_changes() -> None:
    ledger = InMemoryGrading()
    first = sent(ledger, NOW - 2 * DAY, "1.2.246.562.15.1")
    before = len(ledger.state.audit)
    assert check(ledger, KoskiHolding("1.2.246.562.15.1"), first) == {first: Check.FOUND}
    stored = ledger.submission(first)
    assert (stored.state, stored.checked_at, stored.oid) == (
        SubmissionState.SENT,
        NOW,
        "1.2.246.562.15.1",
    )
    assert len(ledger.state.audit) == before  # a check that changes nothing is not audited


def test_a_record_gone_from_koski_is_marked_deleted_saying_why_and_is_never_sent_again() -> None:
    ledger, koski = InMemoryGrading(), ScriptedKoski()
    first = sent(ledger, NOW - 2 * DAY, "1.2.246.562.15.1")
    assert check(ledger, KoskiHolding(), first) == {first: Check.GONE}
    stored = ledger.submission(first)
    assert (stored.state, stored.last_status) == (SubmissionState.DELETED, 404)
    assert stored.last_error_message == GONE_FROM_KOSKI
    assert stored.last_error_keys == ("notFound.opiskeluoikeuttaEiLöydyTaiEiOikeuksia",)
    assert ledger.state.audit[-1].actor == reconciliation.RECONCILER
    jobs = RecordingGradingJobs()
    grading.bind_results([ledger.state.submissions[first].result_id], ledger, jobs, "x")
    assert grading.submit(first, ledger, koski, lambda: NOW, actor="worker").state is (
        SubmissionState.DELETED
    )
    assert (jobs.submissions, koski.payloads) == ([], [])


def test_koski_saying_on_a_read_that_the_consent_was_revoked_marks_the_consent_revoked() -> None:
    ledger = InMemoryGrading()
    first = sent(ledger, NOW - 2 * DAY, "1.2.246.562.15.1")
    assert check(ledger, KoskiHolding(answers=(REVOKED,)), first) == {first: Check.REVOKED}
    assert ledger.state.consents[1][2] is ConsentState.REVOKED
    assert ledger.state.revoked_by == {1: grading.KOSKI}
    assert ledger.submission(first).state is SubmissionState.REVOKED


def test_koski_answering_a_mitatointi_with_suostumusperuttu_marks_the_consent_revoked() -> None:
    ledger = InMemoryGrading()
    first = sent(ledger, NOW - 2 * DAY, "1.2.246.562.15.1")
    state = grading.invalidate(
        first, ledger, ScriptedKoski(REVOKED), lambda: NOW, actor="staff:pekka", reason="other"
    )
    assert state is SubmissionState.REVOKED
    assert ledger.state.consents[1][2] is ConsentState.REVOKED


def test_koski_down_stops_the_run_and_leaves_the_rest_unchecked() -> None:
    ledger = InMemoryGrading()
    ids = [sent(ledger, NOW - 2 * DAY, f"1.2.246.562.15.{n}") for n in range(3)]
    koski = KoskiHolding("1.2.246.562.15.0", answers=(KoskiAnswer(200, {}), KoskiAnswer(503, None)))
    assert check(ledger, koski, *ids) == {ids[0]: Check.FOUND, ids[1]: Check.FAILED}
    assert [ledger.submission(i).state for i in ids] == [SubmissionState.SENT] * 3
    assert ledger.submission(ids[1]).checked_at is None
    assert len(koski.asked) == 2


def test_the_pause_comes_between_two_calls_and_a_record_no_longer_live_costs_none() -> None:
    ledger, pauses = InMemoryGrading(), list[int]()
    ids = [sent(ledger, NOW - 2 * DAY, f"1.2.246.562.15.{n}") for n in range(3)]
    ledger.submission(ids[0]).state = SubmissionState.INVALIDATED
    koski = KoskiHolding(*(f"1.2.246.562.15.{n}" for n in range(3)))
    outcome = check(ledger, koski, *ids, pauses=pauses)
    assert outcome == {ids[0]: Check.SKIPPED, ids[1]: Check.FOUND, ids[2]: Check.FOUND}
    assert (koski.asked, pauses) == (["1.2.246.562.15.1", "1.2.246.562.15.2"], [1])


def test_due_are_live_records_unseen_for_an_interval_longest_unseen_first_a_batch_at_most() -> None:
    ledger = InMemoryGrading()
    recent = sent(ledger, NOW - dt.timedelta(hours=1), "1.2.246.562.15.1")
    old = sent(ledger, NOW - 3 * DAY, "1.2.246.562.15.2")
    older = sent(ledger, NOW - 5 * DAY, "1.2.246.562.15.3")
    checked = sent(ledger, NOW - 9 * DAY, "1.2.246.562.15.4")
    ledger.submission(checked).checked_at = NOW - dt.timedelta(hours=2)
    gone = sent(ledger, NOW - 9 * DAY, "1.2.246.562.15.5")
    ledger.submission(gone).state = SubmissionState.DELETED
    checks = InMemoryRecordChecks(ledger)
    assert reconciliation.due(checks, DAILY, lambda: NOW) == [older, old]
    one = ReconcileSettings(DAY, 1, dt.timedelta(0))
    assert reconciliation.due(checks, one, lambda: NOW) == [older]
    assert recent not in reconciliation.due(checks, DAILY, lambda: NOW + DAY / 2)


def test_reconciliation_turned_off_finds_nothing_due() -> None:
    ledger = InMemoryGrading()
    sent(ledger, NOW - 9 * DAY, "1.2.246.562.15.1")
    off = ReconcileSettings(dt.timedelta(0), 200, dt.timedelta(0))
    assert reconciliation.due(InMemoryRecordChecks(ledger), off, lambda: NOW) == []
