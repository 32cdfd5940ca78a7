"""In-memory implementations of the ports, for unit tests of the use cases."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from consent.courses import Course
from consent.duplicates import LiveRecord
from consent.enrolment_views import EnrolmentStatus
from consent.enrolments import EnrolmentRow, EnrolmentState
from consent.errors import LedgerContention, NotFound
from consent.hetu import Hetu
from consent.koski_answers import KoskiAnswer
from consent.koski_payload import StudyRight
from consent.model import (
    AuditEntry,
    ConsentRecord,
    ConsentState,
    InboxState,
    Person,
    SubmissionState,
)
from consent.oppijanumero import Oppijanumero
from consent.ports import Counting
from consent.results import (
    GradedResult,
    ImportedResult,
    ResultForBinding,
    ResultStatus,
    ResultSubmission,
    ResultToBind,
)
from consent.submissions import SendView, SubmissionChange, Unsent
from consent.views import shown


@dataclass
class StoredDelivery:
    body: bytes
    received_at: dt.datetime
    state: InboxState = InboxState.RECEIVED
    outcome: str | None = None
    attempts: int = 0


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
        self.poison: set[int] = set()
        self.contended: set[int] = set()
        self.claimed: list[list[int]] = []

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

    @contextmanager
    def batch(self) -> Iterator[InMemoryBatch]:
        before = copy.deepcopy(self.state)
        try:
            yield InMemoryBatch(self)
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


class InMemoryBatch:
    """:class:`consent.ports.DeliveryBatch` over the fake's state: each delivery's savepoint
    is a copy of the state, put back on an exception. ``poison`` holds deliveries whose
    binding raises; ``claimed`` every delivery each claim returned, in order."""

    def __init__(self, ledger: InMemoryLedger) -> None:
        self._ledger = ledger

    def claim_waiting(self, limit: int, skip: Collection[int]) -> list[int]:
        waiting = [
            i
            for i, d in sorted(self._ledger.state.deliveries.items())
            if d.state is InboxState.RECEIVED and i not in skip
        ][:limit]
        self._ledger.claimed.append(waiting)
        return waiting

    @contextmanager
    def delivery(self) -> Iterator[InMemoryTransaction]:
        ledger = self._ledger
        before = copy.deepcopy(ledger.state)
        try:
            yield InMemoryTransaction(
                ledger.state, poison=ledger.poison, contended=ledger.contended
            )
        except BaseException:
            ledger.state.__dict__.update(before.__dict__)
            raise

    @contextmanager
    def together(self, inbox_ids: Sequence[int]) -> Iterator[InMemoryBatchBinding]:
        ledger = self._ledger
        before = copy.deepcopy(ledger.state)
        try:
            yield InMemoryBatchBinding(
                ledger.state, poison=ledger.poison, contended=ledger.contended
            )
        except BaseException:
            ledger.state.__dict__.update(before.__dict__)
            raise

    def count_failure(self, inbox_id: int) -> int:
        delivery = self._ledger.state.deliveries[inbox_id]
        delivery.attempts += 1
        return delivery.attempts


class InMemoryTransaction:
    """:class:`consent.ports.BindingTransaction` over the fake's state."""

    def __init__(
        self,
        state: _State,
        crash_before_saving_consent: bool = False,
        poison: Collection[int] = (),
        contended: Collection[int] = (),
    ) -> None:
        self._state = state
        self._crash = crash_before_saving_consent
        self._poison = poison
        self._contended = contended

    def claim_delivery(self, inbox_id: int) -> bytes | None:
        if inbox_id in self._poison:
            raise KeyError("a row no binding can read")
        if inbox_id in self._contended:
            raise LedgerContention("DeadlockDetected")
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


class InMemoryBatchBinding(InMemoryTransaction):
    """:class:`consent.ports.BatchBinding` over the fake's state: as the SQL batch, it
    refuses a participant it was not prepared for."""

    def __init__(self, state: _State, **kwargs: Any) -> None:
        super().__init__(state, **kwargs)
        self.prepared: set[Hetu] = set()

    def prepare(self, participants: Sequence[tuple[str, Person]]) -> None:
        self.prepared |= {person.hetu for _, person in participants}

    def save_participant(self, person: Person) -> int:
        if person.hetu not in self.prepared:
            raise LookupError("a participant the batch did not prepare")
        return super().save_participant(person)


class RecordingQueue:
    """A job queue that remembers what it was asked to do."""

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.bindings: list[int] = []
        self.drains_ensured = 0
        self._fail_with = fail_with

    def enqueue_new_binding(self, inbox_id: int, _counting: Counting | None = None) -> None:
        if self._fail_with is not None:
            raise self._fail_with
        self.bindings.append(inbox_id)

    def ensure_drain(self) -> str:
        self.drains_ensured += 1
        return "enqueued"


class RecordingBindingRun:
    """:class:`consent.ports.BindingRun` that holds the mark unless ``held_elsewhere`` and
    remembers each step (``hold``, ``release``, ``hand_over``); ``on_release`` runs as the
    mark is cleared (a request arriving just then)."""

    def __init__(self) -> None:
        self.steps: list[str] = []
        self.held_elsewhere = False
        self.on_release: list[Callable[[], object]] = []

    def hold(self) -> bool:
        self.steps.append("hold")
        return not self.held_elsewhere

    def release(self) -> None:
        self.steps.append("release")
        for arrive in self.on_release:
            arrive()
        self.on_release.clear()

    def hand_over(self) -> None:
        self.steps.append("hand_over")


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
    attention: str | None = None
    checked_at: dt.datetime | None = None


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
        self.today = dt.date(2026, 12, 20)  # the day binding reads a result on

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
            yield InMemoryResultBinding(self.state, self.broken, self.today)
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

    def __init__(self, state: _Grading, broken: set[int], today: dt.date) -> None:
        self._state = state
        self._broken = broken
        self._today = today

    def result_to_bind(self, result_id: int) -> ResultToBind:
        if result_id in self._broken:
            raise TimeoutError("the database went away")
        stored = self._state.results.get(result_id)
        if stored is None:  # deleted since it was queued
            raise NotFound(f"no result {result_id}")
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
                ResultSubmission(i, s.state, s.oid)
                for i, s in self._state.submissions.items()
                if s.result_id == result_id
            ),
            None,
        )
        course = self._state.courses[stored.course_code]
        result = ResultForBinding(result_id, stored.participant_id, course, stored.result)
        return ResultToBind(
            result,
            consent[0] if consent else None,
            consent[1] if consent else None,
            submission,
            self._today,
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


class KoskiHolding:
    """KOSKI's read side over a set of oids it holds: a study right held is found, any other
    is a 404; ``answers`` (if any) are given first, in order. Keeps every oid asked for."""

    def __init__(self, *held: str, answers: tuple[KoskiAnswer, ...] = ()) -> None:
        self.held = set(held)
        self.answers = list(answers)
        self.asked: list[str] = []

    def get_opiskeluoikeus(self, oid: str) -> KoskiAnswer:
        self.asked.append(oid)
        if self.answers:
            return self.answers.pop(0)
        if oid in self.held:
            return KoskiAnswer(200, {"oid": oid, "versionumero": 1})
        missing = [{"key": "notFound.opiskeluoikeuttaEiLöydyTaiEiOikeuksia", "message": "ei"}]
        return KoskiAnswer(404, missing)


class InMemoryRecordChecks:
    """:class:`consent.ports.RecordChecks` over the grading fake's submissions."""

    def __init__(self, grading: InMemoryGrading) -> None:
        self._grading = grading

    def due_checks(self, unseen_since: dt.datetime, limit: int) -> list[int]:
        live = (SubmissionState.SENT, SubmissionState.ATTENTION)
        seen = {
            i: s.checked_at or s.sent_at
            for i, s in self._grading.state.submissions.items()
            if s.state in live and s.oid is not None
        }
        due = [(at, i) for i, at in seen.items() if at is not None and at < unseen_since]
        return [i for _, i in sorted(due)[:limit]]

    def found(self, submission_id: int, oid: str, at: dt.datetime) -> None:
        sub = self._grading.state.submissions[submission_id]
        if sub.oid == oid:
            sub.checked_at = at


class RecordingCounts:
    """Event counters for ``/metrics``, remembering each count with its labels."""

    def __init__(self) -> None:
        self.counted: list[tuple[str, int, dict[str, str]]] = []

    def count_by(self, name: str, amount: int, **labels: str) -> None:
        self.counted.append((name, amount, labels))


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

    def binding_run(self, run_id: str) -> RecordingBindingRun:
        return RecordingBindingRun()


class InMemoryCourses:
    """The course definitions (:class:`consent.ports.Courses`) in a dict, audited."""

    def __init__(self, *known: Course) -> None:
        self.by_code = {known_course.code: known_course for known_course in known}
        self.audit: list[AuditEntry] = []
        self.results: dict[str, list[int]] = {}  # a course's result ids, as a test sets them
        self.live: dict[str, int] = {}  # how many records KOSKI holds, as a test sets them
        self.retryable: dict[str, list[int]] = {}  # submission ids, as a test sets them

    def save_course(self, course: Course, actor: str) -> int:
        self.by_code[course.code] = course
        course_id = list(self.by_code).index(course.code) + 1
        details = {"code": course.code}
        self.audit.append(AuditEntry(actor, "course.saved", "course", course_id, details))
        return course_id

    def find_course(self, code: str) -> Course | None:
        return self.by_code.get(code)

    def courses(self) -> list[Course]:
        return sorted(self.by_code.values(), key=lambda c: (-c.end_date.toordinal(), c.code))

    def results_to_correct(self, code: str) -> list[int]:
        return self.results.get(code, [])

    def live_records(self, code: str) -> int:
        return self.live.get(code, 0)

    def retryable_submissions(self, code: str) -> list[int]:
        return self.retryable.get(code, [])


class InMemoryResults:
    """Imported results (:class:`consent.ports.ImportedResults`): each one's content hash by
    course and hetu, in order of import (a result's id is its place)."""

    def __init__(self) -> None:
        self.hashes: dict[tuple[str, Hetu | Oppijanumero], str] = {}
        self.audit: list[AuditEntry] = []

    def store_results(
        self, course_code: str, results: list[ImportedResult], actor: str
    ) -> tuple[list[int], int]:
        changed = [self._id(course_code, r) for r in results if self._changes(course_code, r)]
        unchanged = len(results) - len(changed)
        for result in results:
            self.hashes[course_code, result.identity] = result.content_hash
        details = {"code": course_code, "changed": len(changed), "unchanged": unchanged}
        self.audit.append(AuditEntry(actor, "results.imported", "course", None, details))
        return changed, unchanged

    def preview_results(self, course_code: str, results: list[ImportedResult]) -> dict[str, int]:
        new = sum((course_code, r.identity) not in self.hashes for r in results)
        changed = sum(self._changes(course_code, r) for r in results) - new
        return {"new": new, "changed": changed, "unchanged": len(results) - new - changed}

    def _changes(self, course_code: str, result: ImportedResult) -> bool:
        return self.hashes.get((course_code, result.identity)) != result.content_hash

    def _id(self, course_code: str, result: ImportedResult) -> int:
        keys = list(self.hashes)
        key = (course_code, result.identity)
        return keys.index(key) + 1 if key in keys else len(keys) + 1


class InMemoryPendingImports:
    """Files held for whoever checked them (:class:`consent.ports.PendingImports`)."""

    def __init__(self) -> None:
        # id: course, kind, content, by, purpose
        self.held: dict[str, tuple[str, str, bytes, str, str]] = {}

    def hold(
        self, course_code: str, kind: str, content: bytes, by: str, purpose: str = "results"
    ) -> str:
        upload_id = f"upload-{len(self.held) + 1}"
        self.held[upload_id] = (course_code, kind, content, by, purpose)
        return upload_id

    def take(
        self, upload_id: str, course_code: str, by: str, purpose: str = "results"
    ) -> tuple[str, bytes] | None:
        held = self.held.get(upload_id)
        if held is None or (held[0], held[3], held[4]) != (course_code, by, purpose):
            return None
        return held[1], held[2]

    def forget(self, upload_id: str) -> None:
        self.held.pop(upload_id, None)


class InMemoryEnrolments:
    """The signing connector's enrolments (:class:`consent.ports.Enrolling`) by course and
    hetu, and the invitations queued."""

    def __init__(self) -> None:
        self.enrolled: dict[tuple[str, Hetu], EnrolmentRow] = {}
        self.invited: list[int] = []
        self.audit: list[AuditEntry] = []

    def enrol(
        self, course_code: str, rows: list[EnrolmentRow], expires_at: dt.datetime, actor: str
    ) -> tuple[list[int], int]:
        new = []
        for row in rows:
            key = (course_code, row.participant.hetu)
            if key not in self.enrolled:
                self.enrolled[key] = row
                new.append(len(self.enrolled))
        known = len(rows) - len(new)
        details = {"code": course_code, "new": len(new), "known": known}
        self.audit.append(AuditEntry(actor, "enrolments.added", "course", None, details))
        return new, known

    def course_enrolments(self, course_code: str) -> list[EnrolmentStatus]:
        """Every enrolment as new: the fake invites nobody, it only counts the invitations."""
        mine = enumerate(self.enrolled.items(), start=1)
        return [_new_enrolment(i, row) for i, ((code, _), row) in mine if code == course_code]


def _new_enrolment(enrolment_id: int, row: EnrolmentRow) -> EnrolmentStatus:
    guardian_signs = row.signer != row.participant
    shown_as = shown(row.participant)
    return EnrolmentStatus(
        enrolment_id, shown_as, guardian_signs, EnrolmentState.NEW, None, None, False, False
    )


class InMemoryLiveRecords:
    """The records KOSKI holds of people, as a test says (for KOSKI's duplicate rule)."""

    def __init__(self, held: dict[Hetu, list[LiveRecord]] | None = None) -> None:
        self.held = held or {}
        self.asked: list[tuple[str, str]] = []  # the oppilaitos and opintokokonaisuus asked for

    def live_records(
        self, hetus: Sequence[Hetu], oppilaitos_oid: str, opintokokonaisuus: str
    ) -> dict[Hetu, list[LiveRecord]]:
        """Those held of ``hetus`` with that oppilaitos and opintokokonaisuus."""
        self.asked.append((oppilaitos_oid, opintokokonaisuus))
        wanted = (oppilaitos_oid, opintokokonaisuus)
        found = {
            hetu: [r for r in self.held.get(hetu, []) if _identity(r) == wanted] for hetu in hetus
        }
        return {hetu: records for hetu, records in found.items() if records}


def _identity(record: LiveRecord) -> tuple[str, str]:
    return record.key.oppilaitos_oid, record.key.opintokokonaisuus


class MovableClock:
    """A clock (:data:`consent.ports.Clock`) that stands still until the test moves it."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def move(self, by: dt.timedelta) -> None:
        """Let ``by`` pass."""
        self.now += by
