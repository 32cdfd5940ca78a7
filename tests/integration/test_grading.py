"""The grading sync and the KOSKI transfer against the sandbox over HTTP (SQLite, PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from consent import binding, grading, staff_actions
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.koski import HttpKoski
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.ledger import SqlLedger
from consent.adapters.sql.result_binding import SqlResultBinding
from consent.adapters.sql.results import SqlResults
from consent.adapters.sql.status import SqlStatus
from consent.adapters.sql.submissions import SqlSubmissions
from consent.errors import BindingFailed, SendingFailed
from consent.import_files import ImportRejected
from consent.koski_answers import KoskiAnswer
from consent.model import ConsentState, InboxDelivery, SubmissionState
from consent.staff import Actor
from consent.staff_actions import StaffServices
from consent.submissions import SendView, SubmissionChange, Unsent
from tests.courses import course
from tests.fakes import InMemoryPendingImports, RecordingGradingJobs
from tests.koski_server import PASSWORD, USER, RunningSandbox, running_sandbox
from tests.signing import body_of, event, person
from tests.status import status_rows

NOW = dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC)
RUN = "submit-range-0"  # the job id a range job sends in the name of
ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
MINOR = person(dt.date(2011, 4, 4), "Onni", "Korhonen")
GUARDIAN = person(dt.date(1980, 2, 2), "Maija", "Korhonen")
STRANGER = person(dt.date(1975, 7, 7), "Eero", "Nieminen")


@dataclass
class World:
    ledger: SqlLedger
    results: SqlResults
    submissions: SqlSubmissions
    jobs: RecordingGradingJobs  # what is queued: work() binds and sends it, in order
    koski: HttpKoski
    sandbox: RunningSandbox
    status: SqlStatus

    def consent(self, participant: dict[str, str], signer: dict[str, str], webhook_id: str) -> None:
        document = event(participant, signer, at="2026-09-01T08:15:00Z")
        delivery = InboxDelivery(
            "signing", webhook_id, 1, "v1,x", "k", document["type"], body_of(document), NOW
        )
        inbox_id = self.ledger.store_delivery(delivery).inbox_id
        bound = binding.bind_consent(inbox_id, self.ledger, lambda: NOW)
        assert bound.course_code is not None
        assert bound.participant_id is not None
        self.jobs.results.extend(self.results.results_of(bound.course_code, bound.participant_id))

    def course_status(self, code: str) -> list[dict[str, Any]]:
        return status_rows(self.status, code)

    def import_rows(self, rows: list[dict[str, Any]]) -> grading.ImportSummary:
        return grading.import_results(
            course(), rows, self.results, self.jobs, today=NOW.date(), actor="test"
        )

    def work(self) -> list[SubmissionState]:
        """Drain the queues once (:func:`drain`)."""
        return drain(self.jobs, self.results, self.submissions, self.koski)


def drain(
    jobs: RecordingGradingJobs, results: SqlResults, submissions: SqlSubmissions, koski: HttpKoski
) -> list[SubmissionState]:
    """Bind every queued result, then send the queued submissions as one range job would:
    the states the sent records reached."""
    while jobs.results:
        batch, jobs.results = jobs.results, []
        grading.bind_results(batch, results, jobs, "winnova")
    states: list[SubmissionState] = []
    while jobs.submissions:
        queued, jobs.submissions = jobs.submissions, []
        sent = grading.submit_range(
            min(queued),
            max(queued),
            submissions,
            koski,
            jobs,
            lambda: NOW,
            run=RUN,
            actor="worker",
        )
        states.extend(sent.values())
    return states


def staff_services(world: World, engine: Engine) -> StaffServices:
    """The staff actions over the world's ledger and queues, with its status as the live
    records KOSKI's duplicate rule is judged against."""
    return StaffServices(
        courses=SqlCourses(engine, lambda: NOW),
        results=world.results,
        submissions=world.submissions,
        jobs=world.jobs,
        koski=world.koski,
        pending=InMemoryPendingImports(),
        clock=lambda: NOW,
        records=world.status,
    )


@pytest.fixture
def world(engine: Engine, cipher: AesGcmCipher, tmp_path: Path) -> Iterator[World]:
    SqlCourses(engine, lambda: NOW).save_course(course(end_date="2026-12-15"), "test")
    results = SqlResults(engine, cipher, lambda: NOW)
    submissions = SqlSubmissions(engine, cipher, lambda: NOW)
    with running_sandbox(tmp_path / "koski.db", today=NOW.date) as sandbox:
        koski = HttpKoski(
            sandbox.url, USER, PASSWORD, "1.2.246.562.10.00000000001.test", timeout=(2, 2)
        )
        ledger = SqlLedger(engine, cipher, lambda: NOW)
        status = SqlStatus(engine, cipher)
        yield World(ledger, results, submissions, RecordingGradingJobs(), koski, sandbox, status)


def row(member: dict[str, str], grade: str = "hyväksytty", **extra: Any) -> dict[str, Any]:
    return {"hetu": member["hetu"], "grade": grade, "graded_on": "2026-12-10", **extra}


def test_consented_passed_results_arrive_once_each_and_nothing_else_is_sent(world: World) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.consent(MINOR, GUARDIAN, "m2")
    world.import_rows([row(ADULT), row(MINOR), row(STRANGER), row(GUARDIAN, "hylätty")])
    assert world.work() == [SubmissionState.SENT, SubmissionState.SENT]
    stored = world.sandbox.stored()
    assert len(stored) == 2
    status = {r["participant"]["hetu"][-4:]: r for r in world.course_status("knoppi-2026-syksy")}
    assert status[STRANGER["hetu"][-4:]]["binding"] == "no_consent"
    assert status[GUARDIAN["hetu"][-4:]]["binding"] == "no_consent"
    assert status[ADULT["hetu"][-4:]]["submission"]["oid"] in {s["oid"] for s in stored}


def test_a_result_that_cannot_be_bound_holds_up_none_of_its_batch(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.consent(MINOR, GUARDIAN, "m2")
    world.jobs.results.clear()
    world.import_rows([row(ADULT), row(MINOR)])
    batch, world.jobs.results = world.jobs.results, []
    broken = batch[0]

    class DatabaseGoneFirst(SqlResults):
        """The database goes away while the batch's first result is bound."""

        bound = 0

        @contextmanager
        def binding(self) -> Iterator[SqlResultBinding]:
            self.bound += 1
            if self.bound == 1:
                raise TimeoutError("the database went away")
            with super().binding() as tx:
                yield tx

    store = DatabaseGoneFirst(engine, cipher, lambda: NOW)
    with pytest.raises(BindingFailed) as failed:
        grading.bind_results(batch, store, world.jobs, "winnova")
    assert failed.value.errors == {broken: "TimeoutError"}
    assert failed.value.done == {batch[1]: "eligible"}  # for the job to report
    assert isinstance(failed.value.__cause__, TimeoutError)
    assert "went away" not in str(failed.value)  # types and ids only: a message may quote data
    assert len(world.jobs.submissions) == 1  # the other result was bound and queued
    world.jobs.results = batch  # RQ runs the whole batch again
    assert set(world.work()) == {SubmissionState.SENT}
    assert len(world.sandbox.stored()) == 2


def test_a_failed_grade_with_consent_is_never_sent(world: World) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT, "hylätty")])
    assert world.work() == []
    assert world.sandbox.stored() == []
    [status] = world.course_status("knoppi-2026-syksy")
    assert status["binding"] == "not_passed"


def test_a_consent_arriving_after_the_results_releases_them(world: World) -> None:
    world.import_rows([row(ADULT)])
    assert world.work() == []
    world.consent(ADULT, ADULT, "m1")
    assert world.work() == [SubmissionState.SENT]


def test_importing_the_same_file_twice_changes_nothing_and_sends_nothing_twice(
    world: World,
) -> None:
    world.consent(ADULT, ADULT, "m1")
    assert world.import_rows([row(ADULT)]) == grading.ImportSummary(1, 0)
    world.work()
    assert world.import_rows([row(ADULT)]) == grading.ImportSummary(0, 1)
    assert world.work() == []
    assert [s["versionumero"] for s in world.sandbox.stored()] == [1]


def test_binding_a_sent_result_again_sends_nothing_again(world: World) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    [result_id] = world.jobs.results
    world.work()
    puts: list[KoskiAnswer] = []
    caller = "1.2.246.562.10.00000000001.test"
    world.koski = HttpKoski(
        world.sandbox.url, USER, PASSWORD, caller, on_answer=puts.append, timeout=(2, 2)
    )
    world.consent(ADULT, ADULT, "m2")  # signed again: the result is bound again
    world.jobs.results.append(result_id)  # and a retried batch binds it once more
    assert set(world.work()) == {SubmissionState.SENT}
    assert puts == []  # the payload is what KOSKI already holds
    [status] = world.course_status("knoppi-2026-syksy")
    assert status["submission"]["state"] == "sent"


def test_a_changed_result_updates_the_same_record(world: World) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    world.work()
    world.import_rows([row(ADULT, graded_on="2026-12-11")])
    assert world.work() == [SubmissionState.SENT]
    [stored] = world.sandbox.stored()
    assert stored["versionumero"] == 2


def test_a_file_with_one_bad_row_stores_nothing_and_names_the_row(world: World) -> None:
    bad = row(ADULT)
    bad["hetu"] = bad["hetu"][:-1] + ("0" if bad["hetu"][-1] != "0" else "1")
    with pytest.raises(ImportRejected) as rejected:
        world.import_rows([row(MINOR), bad, row(STRANGER, grade="kiitettävä")])
    assert [(e.row, e.field, e.reason) for e in rejected.value.errors] == [
        (2, "hetu", "wrong check character"),
        (3, "grade", "must be hyväksytty or hylätty"),
    ]
    assert all(ADULT["hetu"] not in e.reason for e in rejected.value.errors)
    assert world.course_status("knoppi-2026-syksy") == []


def test_an_interrupted_result_is_sent_as_keskeytynyt(world: World) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows(
        [
            {
                "hetu": ADULT["hetu"],
                "graded_on": "2026-11-01",
                "status": "interrupted",
                "parts": {"KP-1": "hyväksytty"},
            }
        ]
    )
    assert world.work() == [SubmissionState.SENT]
    [stored] = world.sandbox.stored()
    assert stored["tila"]["opiskeluoikeusjaksot"][0]["tila"]["koodiarvo"] == "keskeytynyt"  # type: ignore[index]


def test_koski_outages_and_lost_answers_end_in_exactly_one_record(world: World) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    world.sandbox.fail_next("unavailable", "lost")
    assert world.work() == [SubmissionState.PENDING]  # 503: retry later
    [status] = world.course_status("knoppi-2026-syksy")
    submission_id = status["submission"]["id"]
    assert (
        grading.submit(
            submission_id, world.submissions, world.koski, lambda: NOW, actor="worker"
        ).state
        is SubmissionState.PENDING
    )  # lost
    assert (
        grading.submit(
            submission_id, world.submissions, world.koski, lambda: NOW, actor="worker"
        ).state
        is SubmissionState.SENT
    )
    assert len(world.sandbox.stored()) == 1


def test_retries_are_bounded_then_parked_for_staff(world: World) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    world.sandbox.fail_next(*["unavailable"] * (len(grading.RETRY_DELAYS) + 1))
    states = world.work()
    [status] = world.course_status("knoppi-2026-syksy")
    for _ in grading.RETRY_DELAYS:
        states.append(
            grading.submit(
                status["submission"]["id"],
                world.submissions,
                world.koski,
                lambda: NOW,
                actor="worker",
            ).state
        )
    assert states[-1] is SubmissionState.PARKED
    assert states[:-1] == [SubmissionState.PENDING] * len(grading.RETRY_DELAYS)
    [status] = world.course_status("knoppi-2026-syksy")
    assert status["submission"]["last_status"] == 503


def test_a_citizen_revocation_is_learned_from_koski_and_nothing_is_sent_again(world: World) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    world.work()
    [status] = world.course_status("knoppi-2026-syksy")
    world.sandbox.revoke(status["submission"]["oid"])
    world.import_rows([row(ADULT, graded_on="2026-12-11")])  # a correction would resend...
    assert world.work() == [SubmissionState.REVOKED]  # ...but KOSKI says the consent is gone
    [status] = world.course_status("knoppi-2026-syksy")
    assert status["consent"]["state"] == ConsentState.REVOKED.value
    assert status["submission"]["last_error_keys"] == ["forbidden.suostumusPeruttu"]
    world.import_rows([row(ADULT, graded_on="2026-12-12")])
    assert world.work() == []  # revoked: not even bound for sending


def test_staff_revocation_before_sending_stops_the_result(world: World) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    [status] = world.course_status("knoppi-2026-syksy")
    world.submissions.revoke(status["consent"]["id"], "staff:maija", "staff")
    assert world.work() == []
    assert world.sandbox.stored() == []
    [status] = world.course_status("knoppi-2026-syksy")
    assert (status["consent"]["state"], status["binding"]) == ("revoked", "consent_revoked")


def test_staff_revocation_after_sending_stops_every_resend_and_deletes_nothing(
    world: World,
) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    world.work()
    [status] = world.course_status("knoppi-2026-syksy")
    assert world.submissions.revoke(status["consent"]["id"], "staff:maija", "staff") == [
        status["submission"]["id"]
    ]
    world.import_rows([row(ADULT, graded_on="2026-12-11")])
    assert world.work() == []
    [status] = world.course_status("knoppi-2026-syksy")
    assert status["submission"]["state"] == "revoked"
    assert status["submission"]["oid"] is not None  # kept locally
    assert [s["versionumero"] for s in world.sandbox.stored()] == [1]


def test_invalidation_then_resend_leaves_one_live_record(world: World, engine: Engine) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    world.work()
    [status] = world.course_status("knoppi-2026-syksy")
    first_oid = status["submission"]["oid"]
    assert (
        grading.invalidate(
            status["submission"]["id"], world.submissions, world.koski, lambda: NOW, actor="staff"
        )
        is SubmissionState.INVALIDATED
    )
    assert world.sandbox.stored() == []
    world.import_rows([row(ADULT, graded_on="2026-12-11")])  # the corrected result
    assert world.work() == []  # an invalidated record goes out again only when staff say so
    assert world.sandbox.stored() == []
    staff_actions.send_again(
        staff_services(world, engine), status["submission"]["id"], Actor.staff("maija")
    )
    assert world.work() == [SubmissionState.SENT]
    [stored] = world.sandbox.stored()
    assert stored["oid"] != first_oid


def test_the_sweeper_finds_due_and_stuck_submissions_only(world: World) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    [result_id] = world.jobs.results
    world.jobs.results.clear()
    grading.bind_results([result_id], world.results, world.jobs, "winnova")
    [submission_id] = world.jobs.submissions
    due = world.submissions.due_submissions
    assert due(NOW) == ([submission_id], [])  # pending, never tried: its range job
    world.submissions.change(submission_id, SubmissionChange(state=SubmissionState.IN_FLIGHT), "t")
    assert due(NOW) == ([], [])  # a worker has it
    assert due(NOW + dt.timedelta(minutes=6)) == ([], [submission_id])  # lost: a job of its own
    retry_soon = SubmissionChange(
        state=SubmissionState.PENDING, next_attempt_at=NOW + dt.timedelta(minutes=1)
    )
    world.submissions.change(submission_id, retry_soon, "test")
    assert due(NOW + dt.timedelta(minutes=2)) == ([], [])  # its job is due
    assert due(NOW + dt.timedelta(minutes=4)) == ([], [submission_id])  # lost


def test_the_sweeper_finds_results_judged_before_their_consent_arrived(world: World) -> None:
    world.import_rows([row(ADULT)])
    [result_id] = world.jobs.results
    world.work()  # judged: no consent yet
    assert world.results.stale_bindings() == []
    world.consent(ADULT, ADULT, "m1")
    world.jobs.results.clear()  # the worker died before queueing the result again
    assert world.results.stale_bindings() == [result_id]
    grading.bind_results([result_id], world.results, world.jobs, "winnova")
    assert world.results.stale_bindings() == []
    assert world.work() == [SubmissionState.SENT]


def _three_queued(world: World) -> list[int]:
    """Three consented, passed results bound: their submissions queued for a first send."""
    world.consent(ADULT, ADULT, "m1")
    world.consent(MINOR, GUARDIAN, "m2")
    world.consent(STRANGER, STRANGER, "m3")
    world.import_rows([row(ADULT), row(MINOR), row(STRANGER)])
    while world.jobs.results:
        batch, world.jobs.results = world.jobs.results, []
        grading.bind_results(batch, world.results, world.jobs, "winnova")
    queued, world.jobs.submissions = world.jobs.submissions, []
    assert len(queued) == 3
    return sorted(queued)


def _send_range(
    world: World, store: SqlSubmissions, queued: list[int]
) -> dict[int, SubmissionState]:
    return grading.submit_range(
        queued[0],
        queued[-1],
        store,
        world.koski,
        world.jobs,
        lambda: NOW,
        recheck_after=MINUTE,
        run=RUN,
        actor="worker",
    )


MINUTE = dt.timedelta(minutes=1)


def _attempts(world: World) -> list[int]:
    """Each submission's count of attempts, smallest first."""
    return sorted(s["submission"]["attempts"] for s in world.course_status("knoppi-2026-syksy"))


def test_a_range_job_resends_what_its_killed_run_left_after_the_rest(world: World) -> None:
    left_by_its_run, waiting, another_sends = _three_queued(world)
    pending = SubmissionState.PENDING
    assert world.submissions.claim(left_by_its_run, pending, 0, RUN, "worker")
    assert world.submissions.claim(another_sends, pending, 0, "submit-range-0-again", "worker")
    sent = _send_range(world, world.submissions, [left_by_its_run, waiting, another_sends])
    assert list(sent.items()) == [
        (waiting, SubmissionState.SENT),  # first: what killed the last run may kill this one
        (left_by_its_run, SubmissionState.SENT),  # the run that claimed it is dead: this is it
        (another_sends, SubmissionState.IN_FLIGHT),  # its sender may be alive
    ]
    assert len(world.sandbox.stored()) == 2
    assert world.jobs.retries == [(another_sends, MINUTE)]  # sent again then, if still in flight
    resent = grading.submit(
        another_sends, world.submissions, world.koski, lambda: NOW, actor="worker", run="submit-9"
    )
    assert resent.state is SubmissionState.SENT
    assert len(world.sandbox.stored()) == 3
    assert _attempts(world) == [1, 2, 2]


def test_koski_asking_to_wait_defers_the_rest_of_the_range_with_a_job_each(world: World) -> None:
    queued = _three_queued(world)
    left_by_its_run = queued[2]
    assert world.submissions.claim(left_by_its_run, SubmissionState.PENDING, 0, RUN, "worker")
    world.sandbox.fail_next("unavailable")
    assert _send_range(world, world.submissions, queued) == {queued[0]: SubmissionState.PENDING}
    assert world.sandbox.pending_faults() == []  # one call: the others were not sent into it
    first_delay = dt.timedelta(seconds=grading.RETRY_DELAYS[0])
    assert world.jobs.retries == [
        (queued[0], first_delay),
        (queued[1], first_delay),
        (left_by_its_run, MINUTE),  # in flight: no sooner than its check would have been
    ]
    due = world.submissions.due_submissions
    assert due(NOW) == ([], [])  # each has a job waiting: not a first send any more
    later = NOW + first_delay + dt.timedelta(minutes=2)
    assert due(later) == ([], queued[:2])  # unless it vanished
    # run again, the range sends only what its killed run left; the others wait for their jobs
    assert _send_range(world, world.submissions, queued) == {left_by_its_run: SubmissionState.SENT}
    states = [
        grading.submit(row_id, world.submissions, world.koski, lambda: NOW, actor="worker")
        for row_id in queued
    ]
    assert {sent.state for sent in states} == {SubmissionState.SENT}
    assert len(world.sandbox.stored()) == 3
    assert _attempts(world) == [1, 2, 2]  # waiting is no try


def test_a_submission_that_fails_holds_up_none_of_its_range(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    queued = _three_queued(world)
    broken = queued[1]

    class DatabaseGoneFor(SqlSubmissions):
        def send_view(self, submission_id: int) -> SendView:
            if submission_id == broken:
                raise TimeoutError("the database went away")
            return super().send_view(submission_id)

    with pytest.raises(SendingFailed) as failed:
        _send_range(world, DatabaseGoneFor(engine, cipher, lambda: NOW), queued)
    assert failed.value.errors == {broken: "TimeoutError"}
    assert failed.value.done == {queued[0]: "sent", queued[2]: "sent"}  # for the job to report
    assert "went away" not in str(failed.value)
    assert len(world.sandbox.stored()) == 2
    assert _send_range(world, world.submissions, queued) == {
        broken: SubmissionState.SENT
    }  # run again
    assert len(world.sandbox.stored()) == 3


def test_a_submission_another_job_took_meanwhile_is_not_sent_twice(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    """Two runs of a range (a job and its follow-up) may read the same row as pending."""
    queued = _three_queued(world)
    listed_then_taken, read_then_taken = queued[0], queued[1]

    class OtherJobMeanwhile(SqlSubmissions):
        def unsent(self, first_id: int, last_id: int) -> list[Unsent]:
            rows = super().unsent(first_id, last_id)
            self._take(listed_then_taken)
            return rows

        def send_view(self, submission_id: int) -> SendView:
            view = super().send_view(submission_id)
            if submission_id == read_then_taken:
                self._take(submission_id)
            return view

        def _take(self, submission_id: int) -> None:
            view = super().send_view(submission_id)
            again = "submit-range-0-again"
            assert self.claim(submission_id, view.state, view.attempts, again, "worker")

    sent = _send_range(world, OtherJobMeanwhile(engine, cipher, lambda: NOW), queued)
    assert sent == {
        listed_then_taken: SubmissionState.IN_FLIGHT,
        read_then_taken: SubmissionState.IN_FLIGHT,
        queued[2]: SubmissionState.SENT,
    }
    assert len(world.sandbox.stored()) == 1  # the other job sends those two
    assert _attempts(world) == [1, 1, 1]


def test_a_failed_submission_bound_again_is_a_first_send_again(world: World) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    world.work()
    [status] = world.course_status("knoppi-2026-syksy")
    submission_id = status["submission"]["id"]
    failed = SubmissionChange(  # a retry that then failed on KOSKI's validation
        state=SubmissionState.FAILED, next_attempt_at=NOW - MINUTE, payload_hash=None
    )
    world.submissions.change(submission_id, failed, "test")
    world.import_rows([row(ADULT, graded_on="2026-12-11")])  # the corrected result
    assert world.work() == [SubmissionState.SENT]
    assert world.jobs.retries == []
