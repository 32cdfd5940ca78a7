"""In-memory implementations of the ports, for unit tests of the use cases."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from consent.courses import Course
from consent.errors import NotFound
from consent.hetu import Hetu
from consent.koski_answers import KoskiAnswer
from consent.koski_payload import GradedResult, StudyRight
from consent.model import (
    AuditEntry,
    ConsentRecord,
    ConsentState,
    InboxState,
    Person,
    SubmissionState,
)
from consent.ports import Counting
from consent.results import (
    ResultForBinding,
    ResultStatus,
    ResultSubmission,
    ResultToBind,
)
from consent.submissions import SendView, SubmissionChange, Unsent


@dataclass
class StoredDelivery:
    body: bytes
    received_at: dt.datetime
    state: InboxState = InboxState.RECEIVED
    outcome: str | None = None


@dataclass
class _State:
    deliveries: dict[int, StoredDelivery] = field(default_factory=dict)
    participants: dict[Hetu, tuple[int, Person]] = field(default_factory=dict)
    consents: dict[int, ConsentRecord] = field(default_factory=dict)
    sent_consents: set[int] = field(default_factory=set)
    audit: list[AuditEntry] = field(default_factory=list)


class InMemoryLedger:
    """A consent ledger in dicts, with transactions that roll back on an exception."""

    def __init__(self) -> None:
        self.state = _State()
        self.crash_before_saving_consent = False

    def add_delivery(self, inbox_id: int, body: bytes, received_at: dt.datetime) -> None:
        self.state.deliveries[inbox_id] = StoredDelivery(body, received_at)

    @contextmanager
    def binding(self) -> Iterator[InMemoryTransaction]:
        before = copy.deepcopy(self.state)
        try:
            yield InMemoryTransaction(self.state, self.crash_before_saving_consent)
        except BaseException:
            self.state = before
            raise

    def pending_deliveries(self, received_before: dt.datetime, limit: int = 500) -> list[int]:
        waiting = [
            i
            for i, d in sorted(self.state.deliveries.items())
            if d.state is InboxState.RECEIVED and d.received_at < received_before
        ]
        return waiting[:limit]

    def consent(self, course_code: str, hetu: Hetu) -> ConsentRecord | None:
        participant_id = self.state.participants[hetu][0]
        return next(
            (
                c
                for c in self.state.consents.values()
                if c.course_code == course_code and c.participant_id == participant_id
            ),
            None,
        )


class InMemoryTransaction:
    """:class:`consent.ports.BindingTransaction` over the fake's state."""

    def __init__(self, state: _State, crash_before_saving_consent: bool = False) -> None:
        self._state = state
        self._crash = crash_before_saving_consent

    def claim_delivery(self, inbox_id: int) -> bytes | None:
        delivery = self._state.deliveries[inbox_id]
        return delivery.body if delivery.state is InboxState.RECEIVED else None

    def save_participant(self, person: Person) -> int:
        existing = self._state.participants.get(person.hetu)
        participant_id = existing[0] if existing else len(self._state.participants) + 1
        self._state.participants[person.hetu] = (participant_id, person)
        return participant_id

    def consent_for(self, course_code: str, participant_id: int) -> ConsentRecord | None:
        return next(
            (
                c
                for c in self._state.consents.values()
                if c.course_code == course_code and c.participant_id == participant_id
            ),
            None,
        )

    def any_sent(self, consent_id: int) -> bool:
        return consent_id in self._state.sent_consents

    def save_consent(self, record: ConsentRecord) -> int:
        if self._crash:
            raise ConnectionError("the database went away mid-transaction")
        consent_id = record.id or len(self._state.consents) + 1
        self._state.consents[consent_id] = replace(record, id=consent_id)
        return consent_id

    def finish_delivery(self, inbox_id: int, state: InboxState, outcome: str) -> None:
        delivery = self._state.deliveries[inbox_id]
        delivery.state, delivery.outcome = state, outcome

    def audit(self, entry: AuditEntry) -> None:
        self._state.audit.append(entry)


class RecordingQueue:
    """A job queue that remembers what it was asked to do."""

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.bindings: list[int] = []
        self.ensured: list[int] = []
        self._fail_with = fail_with

    def enqueue_binding(self, inbox_id: int) -> None:
        if self._fail_with is not None:
            raise self._fail_with
        self.bindings.append(inbox_id)

    def enqueue_new_binding(self, inbox_id: int, _counting: Counting | None = None) -> None:
        self.enqueue_binding(inbox_id)

    def ensure_binding(self, inbox_id: int) -> str:
        self.ensured.append(inbox_id)
        return "enqueued"


@dataclass
class StoredSubmission:
    """A submission in the grading fake, field by field as the ledger keeps it."""

    result_id: int
    source_id: str
    source_system: str
    state: SubmissionState = SubmissionState.PENDING
    attempts: int = 0
    next_attempt_at: dt.datetime | None = None
    claimed_by: str | None = None
    oid: str | None = None
    versionumero: int | None = None
    payload_hash: str | None = None
    sent_at: dt.datetime | None = None
    last_status: int | None = None
    last_error_keys: tuple[str, ...] | None = None
    last_error_message: str | None = None


@dataclass
class StoredResult:
    """A result in the grading fake, with what binding decided about it."""

    course_code: str
    participant_id: int
    result: GradedResult
    binding: str = "pending"
    consent_id: int | None = None


@dataclass
class _Grading:
    courses: dict[str, Course] = field(default_factory=dict)
    people: dict[int, Person] = field(default_factory=dict)
    consents: dict[int, tuple[str, int, ConsentState]] = field(default_factory=dict)
    results: dict[int, StoredResult] = field(default_factory=dict)
    submissions: dict[int, StoredSubmission] = field(default_factory=dict)
    revoked_by: dict[int, str] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)


class InMemoryGrading:
    """The grading ports (:class:`consent.ports.GradingLedger`, :class:`consent.ports.Submissions`)
    in dicts; binding transactions roll back on an exception."""

    def __init__(self) -> None:
        self.state = _Grading()
        self.broken: set[int] = set()  # result or submission ids whose reads fail

    def add(
        self,
        course: Course,
        person: Person,
        consent: ConsentState | None,
        result: GradedResult | None = None,
    ) -> int:
        """A course, a participant, their consent (if any) and their result (passed by
        default); the result's id."""
        state = self.state
        state.courses[course.code] = course
        participant_id = len(state.people) + 1
        state.people[participant_id] = person
        if consent is not None:
            state.consents[len(state.consents) + 1] = (course.code, participant_id, consent)
        passed = GradedResult("Hyväksytty", dt.date(2026, 12, 10), ResultStatus.COMPLETED, {})
        result_id = len(state.results) + 1
        state.results[result_id] = StoredResult(course.code, participant_id, result or passed)
        return result_id

    def submission(self, submission_id: int) -> StoredSubmission:
        """The stored submission, to look at."""
        return self.state.submissions[submission_id]

    @contextmanager
    def binding(self) -> Iterator[InMemoryResultBinding]:
        before = copy.deepcopy(self.state)
        try:
            yield InMemoryResultBinding(self.state, self.broken)
        except BaseException:
            self.state = before
            raise

    def send_view(self, submission_id: int) -> SendView:
        if submission_id in self.broken:
            raise TimeoutError("the database went away")
        sub = self.state.submissions.get(submission_id)
        if sub is None:
            raise NotFound(f"no submission {submission_id}")
        stored = self.state.results[sub.result_id]
        consent = self.state.consents.get(stored.consent_id or 0)
        return SendView(
            submission_id=submission_id,
            state=sub.state,
            attempts=sub.attempts,
            payload_hash=sub.payload_hash,
            right=StudyRight(sub.source_id, sub.source_system, sub.oid),
            course=self.state.courses[stored.course_code],
            person=self.state.people[stored.participant_id],
            result=stored.result,
            consent_id=stored.consent_id,
            consent_state=consent[2] if consent else None,
            claimed_by=sub.claimed_by,
        )

    def unsent(self, first_id: int, last_id: int) -> list[Unsent]:
        waiting = (SubmissionState.PENDING, SubmissionState.IN_FLIGHT)
        return [
            Unsent(i, s.state, s.claimed_by)
            for i, s in sorted(self.state.submissions.items())
            if first_id <= i <= last_id and s.state in waiting and s.next_attempt_at is None
        ]

    def claim(
        self, submission_id: int, state: SubmissionState, attempts: int, by: str | None, actor: str
    ) -> bool:
        sub = self.state.submissions[submission_id]
        if (sub.state, sub.attempts) != (state, attempts):
            return False
        sub.state, sub.attempts, sub.claimed_by = SubmissionState.IN_FLIGHT, attempts + 1, by
        self._audit_change(submission_id, actor)
        return True

    def defer(self, submission_ids: Sequence[int], until: dt.datetime) -> None:
        for submission_id in submission_ids:
            sub = self.state.submissions[submission_id]
            if sub.state is SubmissionState.PENDING and sub.next_attempt_at is None:
                sub.next_attempt_at = until

    def change(self, submission_id: int, change: SubmissionChange, actor: str) -> None:
        _apply(self.state.submissions[submission_id], change)
        self._audit_change(submission_id, actor)

    def _audit_change(self, submission_id: int, actor: str) -> None:
        sub = self.state.submissions[submission_id]
        details = {"keys": list(sub.last_error_keys or [])}
        action = f"submission.{sub.state.value}"
        self.state.audit.append(
            AuditEntry(actor[:64], action, "submission", submission_id, details)
        )

    def revoke(
        self, consent_id: int, by: str, source: str, notified_on: dt.date | None = None
    ) -> list[int]:
        if consent_id not in self.state.consents:
            raise NotFound(f"no consent {consent_id}")
        code, participant_id, _ = self.state.consents[consent_id]
        self.state.consents[consent_id] = (code, participant_id, ConsentState.REVOKED)
        self.state.revoked_by.setdefault(consent_id, by[:64])
        stopped = [
            i
            for i, s in sorted(self.state.submissions.items())
            if self.state.results[s.result_id].consent_id == consent_id
        ]
        for submission_id in stopped:
            self.state.submissions[submission_id].state = SubmissionState.REVOKED
        details = {"source": source}
        self.state.audit.append(
            AuditEntry(by[:64], "consent.revoked", "consent", consent_id, details)
        )
        return stopped

    def audit(self, entry: AuditEntry) -> None:
        self.state.audit.append(entry)


class InMemoryResultBinding:
    """:class:`consent.ports.ResultBindingTransaction` over the grading fake's state."""

    def __init__(self, state: _Grading, broken: set[int]) -> None:
        self._state = state
        self._broken = broken

    def result_to_bind(self, result_id: int) -> ResultToBind:
        if result_id in self._broken:
            raise TimeoutError("the database went away")
        stored = self._state.results[result_id]
        consent = next(
            (
                (consent_id, state)
                for consent_id, (code, participant_id, state) in self._state.consents.items()
                if (code, participant_id) == (stored.course_code, stored.participant_id)
            ),
            None,
        )
        submission = next(
            (
                ResultSubmission(i, s.state)
                for i, s in self._state.submissions.items()
                if s.result_id == result_id
            ),
            None,
        )
        graded = stored.result
        result = ResultForBinding(
            result_id,
            stored.course_code,
            stored.participant_id,
            graded.grade,
            graded.status,
            dict(graded.part_grades),
        )
        return ResultToBind(
            result, consent[0] if consent else None, consent[1] if consent else None, submission
        )

    def save_binding(self, result_id: int, binding: str, consent_id: int | None) -> None:
        stored = self._state.results[result_id]
        stored.binding, stored.consent_id = binding, consent_id

    def add_submission(self, result_id: int, source_id: str, source_system: str) -> int:
        submission_id = len(self._state.submissions) + 1
        self._state.submissions[submission_id] = StoredSubmission(
            result_id, source_id, source_system
        )
        return submission_id

    def change_submission(self, submission_id: int, change: SubmissionChange) -> None:
        _apply(self._state.submissions[submission_id], change)


def _apply(submission: StoredSubmission, change: SubmissionChange) -> None:
    """Store a change on the fake's submission, field by field."""
    for name, value in change.stored().items():
        setattr(submission, name, value)


class ScriptedKoski:
    """KOSKI answering from a script (a stored record by default); keeps every payload."""

    def __init__(self, *answers: KoskiAnswer) -> None:
        self.answers = list(answers)
        self.payloads: list[dict[str, Any]] = []

    def put_oppija(self, payload: dict[str, Any]) -> KoskiAnswer:
        self.payloads.append(payload)
        if self.answers:
            return self.answers.pop(0)
        version = len(self.payloads)
        stored = {"oid": "1.2.246.562.15.00000000001", "versionumero": version}
        return KoskiAnswer(200, {"opiskeluoikeudet": [stored]})


class RecordingGradingJobs:
    """The grading jobs queue, remembering what it was asked to do."""

    def __init__(self) -> None:
        self.results: list[int] = []
        self.submissions: list[int] = []
        self.retries: list[tuple[int, dt.timedelta | None]] = []

    def enqueue_result_bindings(self, result_ids: Iterable[int]) -> None:
        self.results.extend(result_ids)

    def enqueue_submissions(self, submission_ids: Iterable[int]) -> None:
        self.submissions.extend(submission_ids)

    def enqueue_submission(self, submission_id: int, delay: dt.timedelta | None = None) -> None:
        self.retries.append((submission_id, delay))
