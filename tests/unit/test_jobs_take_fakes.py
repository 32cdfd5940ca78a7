"""The worker's jobs take their services as an argument: given a bundle of fakes (no
database, broker or KOSKI, no environment), a job binds and sends through the fakes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

from consent.config import Settings
from consent.koski_answers import KoskiAnswer
from consent.model import ConsentState, SubmissionState
from consent.ports import Clock
from tests.courses import course
from tests.fakes import (
    InMemoryGrading,
    InMemoryLedger,
    InMemoryRecordChecks,
    KoskiHolding,
    RecordingGradingJobs,
    ScriptedKoski,
)
from tests.unit.test_signing_connector import FakeEnrolments, FakePoster, FakeVisma, enrolment
from tests.unit.test_submit import ADULT, NOW
from workers import jobs


class Grading(InMemoryGrading):
    """The grading fake, with a participant's results as the jobs look them up."""

    def results_of(self, course_code: str, participant_id: int) -> list[int]:
        return [
            result_id
            for result_id, result in self.state.results.items()
            if (result.course_code, result.participant_id) == (course_code, participant_id)
        ]

    def results_of_all(self, participants: Collection[tuple[str, int]]) -> list[int]:
        return sorted(r for pair in participants for r in self.results_of(*pair))


class Koski(ScriptedKoski, KoskiHolding):
    """KOSKI that stores what it is sent and holds no record to read back."""

    def __init__(self) -> None:
        ScriptedKoski.__init__(self)
        KoskiHolding.__init__(self)


class Jobs(RecordingGradingJobs):
    def enqueue_reconciliation(self, submission_ids: list[int], timeout: int) -> None:
        raise AssertionError("no reconciliation here")


class Counters:
    def count_by(self, name: str, amount: int, **labels: str) -> None:
        raise AssertionError("nothing counted here")


class Claim:
    def take(self, holder: str, seconds: int) -> bool:
        return True

    def hold(self, holder: str, seconds: int) -> bool:
        return True

    def keep(self, holder: str, seconds: int) -> None:
        pass

    def release(self, holder: str) -> None:
        pass


@dataclass(frozen=True)
class Connector:
    service: FakeVisma = field(default_factory=FakeVisma)
    post: FakePoster = field(default_factory=lambda: FakePoster([]))

    def render(self, _enrolment: object) -> bytes:
        return b"%PDF-"


@dataclass(frozen=True)
class FakeServices:
    """Every port the jobs use, in memory."""

    results: Grading = field(default_factory=Grading)
    koski: Koski = field(default_factory=Koski)
    queue: Jobs = field(default_factory=Jobs)
    settings: Settings = field(default_factory=lambda: Settings.from_env({}))
    clock: Clock = lambda: NOW
    ledger: InMemoryLedger = field(default_factory=InMemoryLedger)
    enrolments: FakeEnrolments = field(default_factory=lambda: FakeEnrolments(enrolment()))
    counters: Counters = field(default_factory=Counters)
    reconcile_claim: Claim = field(default_factory=Claim)
    connector: Connector = field(default_factory=Connector)

    @property
    def submissions(self) -> Grading:
        return self.results

    @property
    def record_checks(self) -> InMemoryRecordChecks:
        return InMemoryRecordChecks(self.results)


def test_a_binding_job_and_a_sending_job_run_on_fakes_given_as_their_argument() -> None:
    services = FakeServices()
    result_id = services.results.add(course(code="knoppi"), ADULT, ConsentState.VALID)
    assert jobs.bind_results([result_id], services) == {"eligible": 1}
    [submission_id] = services.queue.submissions
    assert jobs.submit(submission_id, services) == SubmissionState.SENT.value
    assert services.results.submission(submission_id).state is SubmissionState.SENT
    [payload] = services.koski.payloads
    assert payload["henkilö"]["sukunimi"] == "Virtanen"


def test_a_sending_job_schedules_its_retry_on_the_queue_it_was_given() -> None:
    services = FakeServices()
    result_id = services.results.add(course(code="knoppi"), ADULT, ConsentState.VALID)
    jobs.bind_results([result_id], services)
    [submission_id] = services.queue.submissions
    services.koski.answers.append(KoskiAnswer(503, None))
    assert jobs.submit(submission_id, services) == SubmissionState.PENDING.value
    assert services.queue.retries == [(submission_id, dt.timedelta(seconds=10))]
