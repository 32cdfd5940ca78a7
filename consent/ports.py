"""The seams of the domain core, as ``typing.Protocol``s.

Adapters in :mod:`consent.adapters` implement them for production; tests may pass
in-memory fakes instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from consent.attention import Found
from consent.attention_mail import AccountMail, Delivered, Mail, Recipient
from consent.config import Settings
from consent.courses import Course
from consent.duplicates import LiveRecord
from consent.enrolment_views import EnrolmentStatus
from consent.enrolments import Enrolment, EnrolmentChange, EnrolmentRow
from consent.export_views import CourseExport, SignedForm, YearSummary
from consent.hetu import Hetu
from consent.koski_answers import KoskiAnswer
from consent.model import (
    AuditEntry,
    ConsentRecord,
    InboxState,
    Participant,
    Person,
    SubmissionState,
)
from consent.oppijanumero import Oppijanumero
from consent.person_views import PersonExport
from consent.results import ImportedResult, ResultSubmission, ResultToBind
from consent.retention_rules import Purged, RetentionLimits
from consent.submissions import SendView, SubmissionChange, Unsent
from consent.views import ParticipantStatus, UnknownCourseConsent

Clock = Callable[[], dt.datetime]
"""What tells the time: ``utc_now`` in production, a fixed or moving time in tests."""


@dataclass(frozen=True)
class Sealed:
    """A sealed (encrypted and authenticated) value and the id of the key that sealed it."""

    key_id: str
    blob: bytes = field(repr=False)


class PiiCipher(Protocol):
    """Seals personal data at rest and derives keyed blind indexes for lookups.

    ``purpose`` names the field (``"participant.hetu"``); a value sealed for one purpose
    does not open as another, and indexes of different purposes never collide.
    """

    def seal(self, plaintext: str, purpose: str) -> Sealed:
        """Encrypt ``plaintext`` under the current key."""
        ...

    def open(self, sealed: Sealed, purpose: str) -> str:
        """Decrypt, or raise :class:`consent.errors.TamperedCiphertext`."""
        ...

    def seal_bytes(self, data: bytes, purpose: str) -> Sealed:
        """Encrypt raw bytes (a signed webhook body) under the current key."""
        ...

    def open_bytes(self, sealed: Sealed, purpose: str) -> bytes:
        """Decrypt raw bytes, or raise :class:`consent.errors.TamperedCiphertext`."""
        ...

    def blind_index(self, value: str, purpose: str) -> str:
        """The index of ``value`` under the current key, to store beside the sealed value."""
        ...

    def blind_indexes(self, value: str, purpose: str) -> tuple[str, ...]:
        """The index of ``value`` under every configured key, to look a row up by."""
        ...


class BindingTransaction(Protocol):
    """One database transaction in which a stored delivery is bound to the consent ledger."""

    def claim_delivery(self, inbox_id: int) -> bytes | None:
        """Lock the delivery; its raw body if it still waits to be bound, else None."""
        ...

    def save_participant(self, person: Person) -> int:
        """Create the participant or refresh their names; the row id."""
        ...

    def consent_for(self, course_code: str, participant_id: int) -> ConsentRecord | None:
        """The consent for this course and participant, locked for update."""
        ...

    def any_sent(self, consent_id: int) -> bool:
        """True if anything under this consent has reached KOSKI."""
        ...

    def save_consent(self, record: ConsentRecord) -> int:
        """Insert or update the consent; the row id."""
        ...

    def finish_delivery(self, inbox_id: int, state: InboxState, outcome: str) -> None:
        """Mark the delivery done (or failed for good) with a short, non-personal outcome."""
        ...

    def audit(self, entry: AuditEntry) -> None:
        """Append to the audit trail inside this transaction."""
        ...


class RecordingTransaction(Protocol):
    """One transaction in which staff record a consent from a signed paper form."""

    def save_participant(self, person: Participant) -> int:
        """Create the participant (by hetu or by oid) or refresh their names; the row id."""
        ...

    def consent_for(self, course_code: str, participant_id: int) -> ConsentRecord | None:
        """The consent for this course and participant, locked for update."""
        ...

    def any_sent(self, consent_id: int) -> bool:
        """True if anything under this consent has reached KOSKI."""
        ...

    def save_consent(self, record: ConsentRecord) -> int:
        """Insert or update the consent; the row id."""
        ...

    def keep_form(
        self, consent_id: int, pdf: bytes, recorded_by: str, signer_names: tuple[str, str] | None
    ) -> None:
        """Keep the scanned form sealed with the consent and who recorded it; a guardian
        known by name only (``signer_names``) is kept as its signer."""
        ...

    def results_of(self, course_code: str, participant_id: int) -> list[int]:
        """The ids of the participant's results for the course, to bind again."""
        ...

    def audit(self, entry: AuditEntry) -> None:
        """Append to the audit trail inside this transaction."""
        ...


class ConsentRecords(Protocol):
    """Opens the transactions in which staff record consents."""

    def recording(self) -> AbstractContextManager[RecordingTransaction]:
        """A transaction that commits on a clean exit and rolls back on an exception."""
        ...


class BatchBinding(BindingTransaction, Protocol):
    """One savepoint in which a whole batch of deliveries is bound, each as in a
    :class:`BindingTransaction` of its own, with what they read looked up ahead for all of
    them and what nothing reads back written at the end: a few statements a batch instead
    of several a delivery."""

    def prepare(self, participants: Sequence[tuple[str, Person]]) -> None:
        """Save these participants (created, or their names refreshed: what
        :meth:`save_participant` does), the last of a person's names winning, and look up
        their consents for these course codes, so that binding the batch's deliveries,
        which are of these (course code, participant) pairs, asks for nothing more."""
        ...


class DeliveryBatch(Protocol):
    """One transaction over a batch of waiting deliveries, bound together in one savepoint
    or, if that fails, each in a savepoint of its own."""

    def claim_waiting(self, limit: int, skip: Collection[int]) -> list[int]:
        """Lock up to ``limit`` deliveries still waiting (none of ``skip``), oldest first,
        passing over any that another transaction holds."""
        ...

    def together(self, inbox_ids: Sequence[int]) -> AbstractContextManager[BatchBinding]:
        """A savepoint for binding these claimed deliveries together: kept on a clean exit,
        every part of it undone on any exception (and the batch goes on)."""
        ...

    def delivery(self) -> AbstractContextManager[BindingTransaction]:
        """A savepoint for binding one delivery: kept on a clean exit, undone on an exception
        (and the batch goes on)."""
        ...

    def count_failure(self, inbox_id: int) -> int:
        """Count one failed attempt at binding the delivery; the attempts counted so far."""
        ...


class ConsentLedger(Protocol):
    """Opens binding transactions; everything in one commits or nothing does."""

    def binding(self) -> AbstractContextManager[BindingTransaction]:
        """A transaction that commits on a clean exit and rolls back on an exception."""
        ...

    def batch(self) -> AbstractContextManager[DeliveryBatch]:
        """A transaction for a batch of deliveries: commits on a clean exit."""
        ...


class PendingDeliveries(Protocol):
    """Finds deliveries that were stored but not yet bound."""

    def pending_deliveries(self, received_before: dt.datetime, limit: int = 500) -> list[int]:
        """Ids of deliveries still waiting, received before the given time, oldest first."""
        ...


@dataclass(frozen=True)
class Counting:
    """One event to count for ``/metrics``: the counter's name and labels (codes only)."""

    name: str
    labels: tuple[tuple[str, str], ...]


class JobQueue(Protocol):
    """Hands work to the workers. Arguments are row ids; never personal data."""

    def enqueue_new_binding(self, inbox_id: int, counting: Counting | None = None) -> None:
        """Ask for delivery ``inbox_id``, stored just now, to be bound (by the one drain that
        binds every waiting delivery, :func:`consent.binding.bind_deliveries`); with
        ``counting``, add one to that event counter in the same round trip."""
        ...

    def ensure_drain(self) -> str:
        """Make sure a drain will run: say ``waiting`` if one is queued or running, else
        queue one (``enqueued``)."""
        ...


class BindingRun(Protocol):
    """The broker's mark that deliveries wait to be bound, as one drain holds it
    (:func:`consent.binding.bind_deliveries` says how the mark and the ledger agree)."""

    def hold(self) -> bool:
        """Renew the mark's lifetime for this drain, or take it if nobody holds it; False if
        another drain holds it."""
        ...

    def release(self) -> None:
        """Clear the mark if this drain holds it."""
        ...

    def hand_over(self) -> None:
        """Clear the mark if this drain holds it, then ask for a drain as a new delivery does."""
        ...


class StatusReader(Protocol):
    """The read side staff see: a course's status, one typed row per participant."""

    def course_status(self, code: str, hetu: Hetu | None = None) -> list[ParticipantStatus]:
        """Every participant with a result on the course, oldest result first, then every
        consent with no result yet, masked; with ``hetu``, that one person in full (none if
        they have neither there).
        :class:`consent.errors.UnknownCourse` if there is no such course."""
        ...

    def unknown_course_consents(self) -> list[UnknownCourseConsent]:
        """Every consent for a course code no course has (yet), masked: staff define the
        course, and the consent binds to it."""
        ...


class LiveRecords(Protocol):
    """The records KOSKI holds of people, for its duplicate rule (:mod:`consent.duplicates`)."""

    def live_records(
        self, hetus: Sequence[Hetu], oppilaitos_oid: str, opintokokonaisuus: str
    ) -> dict[Hetu, list[LiveRecord]]:
        """By person, each of their records of this oppilaitos and opintokokonaisuus that
        KOSKI holds (an oid, not stopped), whatever its course; a person with none is left out."""
        ...


class GradingJobs(Protocol):
    """Queues the grading jobs; arguments are row ids."""

    def enqueue_result_bindings(self, result_ids: Iterable[int]) -> None:
        """Ask the workers to bind these results (in batches)."""
        ...

    def enqueue_submissions(self, submission_ids: Iterable[int]) -> None:
        """Ask the workers to send these submissions for the first time (in ranges of ids)."""
        ...

    def enqueue_submission(self, submission_id: int, delay: dt.timedelta | None = None) -> None:
        """Ask a worker to send this one submission, after ``delay`` (a retry, a recheck)."""
        ...


class Koski(Protocol):
    """KOSKI's source-system API (``HttpKoski`` in production)."""

    def put_oppija(self, payload: dict[str, Any]) -> KoskiAnswer:
        """Create or update the study right the payload (a JSON document) describes."""
        ...


class KoskiRecords(Protocol):
    """Reads study rights back from KOSKI (``HttpKoski`` in production)."""

    def get_opiskeluoikeus(self, oid: str) -> KoskiAnswer:
        """The study right with this oid as KOSKI holds it; a 404 once it is gone."""
        ...


class RecordChecks(Protocol):
    """When each live KOSKI record was last found there (reconciliation's own columns)."""

    def due_checks(self, unseen_since: dt.datetime, limit: int) -> list[int]:
        """Ids of at most ``limit`` live records (sent, with an oid) not found in KOSKI, nor
        sent, since ``unseen_since``: the longest unseen first."""
        ...

    def found(self, submission_id: int, oid: str, at: dt.datetime) -> None:
        """KOSKI held record ``oid`` at ``at`` (kept only while the submission still names
        that record; not audited, since a check changes nothing)."""
        ...


class ResultStore(Protocol):
    """Stores imported results."""

    def store_results(
        self, course_code: str, results: list[ImportedResult], actor: str
    ) -> tuple[list[int], int]:
        """Upsert a file's results at once: (new or changed result ids, unchanged count)."""
        ...


class ResultBindingTransaction(Protocol):
    """One database transaction in which a result is bound to its consent."""

    def result_to_bind(self, result_id: int) -> ResultToBind:
        """The result with its consent and its submission, as they stand now."""
        ...

    def save_binding(self, result_id: int, binding: str, consent_id: int | None) -> None:
        """Store what binding decided (``eligible`` or why not) and the consent it judged."""
        ...

    def add_submission(self, result_id: int, source_id: str, source_system: str) -> int:
        """Create the result's submission, pending, with this lähdejärjestelmänId; its id."""
        ...

    def change_submission(self, submission_id: int, change: SubmissionChange) -> None:
        """Store a change to the result's submission."""
        ...


class GradingLedger(Protocol):
    """Opens result-binding transactions; everything in one commits or nothing does."""

    def binding(self) -> AbstractContextManager[ResultBindingTransaction]:
        """A transaction that commits on a clean exit and rolls back on an exception."""
        ...


class Submissions(Protocol):
    """The KOSKI submissions: what sending one reads, and what it came to. Each method is
    a transaction of its own; every change is audited in the name of the actor."""

    def send_view(self, submission_id: int) -> SendView:
        """The submission with all its payload is built from; NotFound if there is none."""
        ...

    def unsent(self, first_id: int, last_id: int) -> list[Unsent]:
        """Those with ids ``first_id``..``last_id`` that wait for their first send."""
        ...

    def claim(
        self, submission_id: int, state: SubmissionState, attempts: int, by: str | None, actor: str
    ) -> bool:
        """Mark it in flight with one attempt more, taken by job ``by``, if it is still as it
        was read (``state``, ``attempts``); False when another job took it meanwhile."""
        ...

    def defer(self, submission_ids: Sequence[int], until: dt.datetime) -> None:
        """Schedule these pending submissions' first send for ``until``."""
        ...

    def change(self, submission_id: int, change: SubmissionChange, actor: str) -> None:
        """Store what happened to the submission."""
        ...

    def revoke(
        self, consent_id: int, by: str, source: str, notified_on: dt.date | None = None
    ) -> list[int]:
        """Mark a consent revoked and stop its submissions; their ids."""
        ...

    def audit(self, entry: AuditEntry) -> None:
        """Add an entry to the audit trail (what staff did, with ids and codes only)."""
        ...


class Courses(Protocol):
    """The course definitions."""

    def save_course(self, course: Course, actor: str) -> int:
        """Create or update a course and replace its parts, audited in ``actor``'s name."""
        ...

    def find_course(self, code: str) -> Course | None:
        """The course with this code."""
        ...

    def courses(self) -> list[Course]:
        """Every course, the latest ending first."""
        ...

    def results_to_correct(self, code: str) -> list[int]:
        """The ids of the course's results, to bind again when the course changes (binding
        sends none that was invalidated: staff send such a record again themselves)."""
        ...

    def live_records(self, code: str) -> int:
        """How many of the course's records KOSKI holds (sent, with an oid)."""
        ...

    def retryable_submissions(self, code: str) -> list[int]:
        """The ids of the course's parked or failed submissions, in order."""
        ...


class ImportedResults(ResultStore, Protocol):
    """Stores imported results, and tells what storing a file would change."""

    def preview_results(self, course_code: str, results: list[ImportedResult]) -> dict[str, int]:
        """What storing ``results`` would do, changing nothing: new, changed, unchanged."""
        ...


class PendingImports(Protocol):
    """Files staff checked on the pages (results, enrolments: the ``purpose``), held until
    they confirm the import."""

    def hold(
        self, course_code: str, kind: str, content: bytes, by: str, purpose: str = "results"
    ) -> str:
        """Keep the file (sealed) for ``by``; the id to confirm it by."""
        ...

    def take(
        self, upload_id: str, course_code: str, by: str, purpose: str = "results"
    ) -> tuple[str, bytes] | None:
        """The file's kind and content if ``by`` held it for this course and this purpose,
        and it is fresh."""
        ...

    def forget(self, upload_id: str) -> None:
        """Drop the file: it was imported."""
        ...


class Enrolling(Protocol):
    """Enrols a course's participants with the signing connector, and lists them."""

    def enrol(
        self, course_code: str, rows: list[EnrolmentRow], expires_at: dt.datetime, actor: str
    ) -> tuple[list[int], int]:
        """Store new enrolments at once: (their ids, how many were enrolled already)."""
        ...

    def course_enrolments(self, course_code: str) -> list[EnrolmentStatus]:
        """Where each participant's signing stands (masked), with the signing link."""
        ...


class People(Protocol):
    """One person's data, for their requests: access, removal of a result, a contact deleted
    (``SqlPeople``)."""

    def person_export(self, who: Hetu | Oppijanumero) -> PersonExport:
        """Everything held about the person of a hetu or an oppijanumero, as participant and
        as signer."""
        ...

    def result_for_removal(self, result_id: int) -> tuple[int, ResultSubmission | None]:
        """The result's participant id and its submission; :class:`NotFound` for none."""
        ...

    def remove_result(
        self,
        result_id: int,
        submission: ResultSubmission | None,
        change: SubmissionChange | None,
        entries: Sequence[AuditEntry],
    ) -> bool:
        """Remove the result as decided (deleted without a submission, else kept marked and
        its submission changed), audited; False, changing nothing, if it changed meanwhile."""
        ...

    def delete_contact(self, enrolment_id: int, entry: AuditEntry) -> None:
        """Forget the enrolment's contact details, audited; :class:`NotFound` for none."""
        ...

    def audit(self, entry: AuditEntry) -> None:
        """Add an entry to the audit trail (ids and counts only)."""
        ...


class Enrolments(Protocol):
    """Where the signing connector keeps each enrolment's progress (``SqlEnrolments``)."""

    def get(self, enrolment_id: int) -> Enrolment:
        """One enrolment, its people and contact opened."""
        ...

    def record(self, enrolment_id: int, change: EnrolmentChange) -> None:
        """Keep one step of the enrolment's progress, as the connector decided it."""
        ...

    def keep_signed_pdf(self, enrolment_id: int, pdf: bytes) -> None:
        """Keep the signed consent form permanently, sealed."""
        ...


@dataclass(frozen=True)
class DocumentState:
    """A signing document's status and its invitations' (``new|pending|signed|cancelled|
    deleted``), and how many files it has."""

    status: str
    invitations: dict[str, str]  # invitation uuid → status
    files: int = 0


class SigningService(Protocol):
    """The signing service's API, as the connector uses it (``HttpVismaSign``)."""

    def create_document(self, name: str) -> str:
        """A new document; its id."""
        ...

    def add_file(self, document: str, pdf: bytes) -> None:
        """Attach the consent form."""
        ...

    def invite(self, document: str, signer_hetu: str, contact: dict[str, str]) -> str:
        """Invite the one person whose hetu is given; the invitation's id."""
        ...

    def signing_url(self, invitation: str, return_url: str) -> str:
        """Where the person signs; their browser comes back to ``return_url`` afterwards."""
        ...

    def status(self, document: str) -> DocumentState:
        """The document's and its invitations' status."""
        ...

    def download(self, document: str, index: int = 0) -> bytes:
        """A file of the document; once signed, it carries the signatures."""
        ...

    def cancel(self, document: str) -> None:
        """End the document unsigned."""
        ...


EventPoster = Callable[[dict[str, object], str], int | None]
"""Posts a signed consent event to the intake; the HTTP status, or None with no answer."""
RenderForm = Callable[[Enrolment], bytes]
"""The consent form of one enrolment, as a PDF."""


class RunClaim(Protocol):
    """An expiring claim one job holds at a time (a reconciliation run's)."""

    def take(self, holder: str, seconds: int) -> bool:
        """Claim it for ``holder`` if no one holds it; True if taken."""
        ...

    def hold(self, holder: str, seconds: int) -> bool:
        """Take it, or renew it if ``holder`` holds it; False while another holds it."""
        ...

    def keep(self, holder: str, seconds: int) -> None:
        """Let ``holder``'s claim stand ``seconds`` more (a rest before the next run)."""
        ...

    def release(self, holder: str) -> None:
        """Give it up, if ``holder`` holds it."""
        ...


class Counts(Protocol):
    """Event counters for ``/metrics`` (codes only as labels)."""

    def count_by(self, name: str, amount: int, **labels: str) -> None:
        """Add ``amount``; a broker outage loses the count, never the work."""
        ...


class WorkerJobs(GradingJobs, Protocol):
    """The queue as the worker's jobs use it."""

    def binding_run(self, run_id: str) -> BindingRun:
        """The binding mark as the drain job ``run_id`` holds it."""
        ...

    def enqueue_reconciliation(self, submission_ids: list[int], timeout: int) -> None:
        """Queue one reconciliation run over these live records."""
        ...


class WorkerResults(GradingLedger, Protocol):
    """Results as the worker's jobs use them: binding, and a participant's results."""

    def results_of(self, course_code: str, participant_id: int) -> list[int]:
        """Ids of this participant's results on this course (to bind again)."""
        ...

    def results_of_all(self, participants: Collection[tuple[str, int]]) -> list[int]:
        """Ids of the results of each (course code, participant id) pair, in one look."""
        ...


class WorkerKoski(Koski, KoskiRecords, Protocol):
    """KOSKI as the worker's jobs use it: sending records and reading them back."""


class ConnectorPorts(Protocol):
    """The signing connector's seams."""

    @property
    def service(self) -> SigningService: ...
    @property
    def render(self) -> RenderForm: ...
    @property
    def post(self) -> EventPoster: ...


class WorkerServices(Protocol):
    """What the worker's jobs use, port by port: the composition root's ``Services`` is one,
    and a test may pass a bundle of fakes instead."""

    @property
    def settings(self) -> Settings: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def ledger(self) -> ConsentLedger: ...
    @property
    def results(self) -> WorkerResults: ...
    @property
    def submissions(self) -> Submissions: ...
    @property
    def koski(self) -> WorkerKoski: ...
    @property
    def queue(self) -> WorkerJobs: ...
    @property
    def enrolments(self) -> Enrolments: ...
    @property
    def record_checks(self) -> RecordChecks: ...
    @property
    def counters(self) -> Counts: ...
    @property
    def reconcile_claim(self) -> RunClaim: ...
    @property
    def connector(self) -> ConnectorPorts: ...


class RetentionStore(Protocol):
    """The ledger as the retention purge sees it (:mod:`consent.retention`)."""

    def purgeable(self, limits: RetentionLimits) -> Purged:
        """How many of each kind a purge within ``limits`` would delete now."""
        ...

    def purge(self, limits: RetentionLimits) -> Purged:
        """Delete, in batches, what is past ``limits``; how many of each kind went."""
        ...

    def last_purge(self) -> dt.datetime | None:
        """When the last purge ran, from the audit trail; None if none ever did."""
        ...

    def audit(self, entry: AuditEntry) -> None:
        """Add one line to the audit trail."""
        ...


class AttentionReader(Protocol):
    """The attention list's raw items and the marks of those staff saw (``SqlAttention``)."""

    def attention_found(self) -> list[Found]:
        """Every item across all courses, in a fixed number of queries whatever its size."""
        ...

    def seen_marks(self) -> dict[str, str]:
        """The fingerprint each item was marked seen in, by item key."""
        ...

    def mark_seen(self, key: str, fingerprint: str, entry: AuditEntry) -> None:
        """Keep (or replace) the item's mark and its audit entry, in one transaction."""
        ...


class Exports(Protocol):
    """What staff export (``SqlExports``): a course row by row, a year counted."""

    def course_export(self, code: str, *, full_hetu: bool) -> CourseExport:
        """Every participant of the course, masked unless ``full_hetu``, in a fixed number
        of queries; :class:`consent.errors.UnknownCourse` if there is none."""
        ...

    def year_summary(self, year: int) -> YearSummary:
        """The year's records per opintokokonaisuus: sent (held now), interrupted among
        them, invalidated during the year."""
        ...


class SignedForms(Protocol):
    """The signed consent forms, by consent (``SqlSignedForms``): the one lookup."""

    def consent_form(self, consent_id: int) -> SignedForm | None:
        """The consent's signed PDF, or None when none is kept."""
        ...

    def consents_with_forms(self, course_code: str) -> set[int]:
        """The course's consents that have a signed PDF kept."""
        ...

    def forms_among(self, consent_ids: Collection[int]) -> set[int]:
        """Which of these consents have a signed PDF kept."""
        ...


class Mailer(Protocol):
    """Sends e-mails (``SmtpMailer``; a test's own SMTP server behind it)."""

    def send(self, mails: Sequence[Mail]) -> Delivered:
        """Send each; :class:`consent.errors.MailUnavailable` when the server is not had."""
        ...


class AttentionMailLedger(Protocol):
    """Who gets the weekly e-mail, and the audit trail that records each week's sending."""

    def recipients(self) -> list[Recipient]:
        """The active accounts with an address and the weekly e-mail on."""
        ...

    def mailed_since(self, moment: dt.datetime) -> bool:
        """Whether the weekly e-mail was recorded as sent at or after ``moment``."""
        ...

    def audit(self, entry: AuditEntry) -> None:
        """Add one line to the audit trail."""
        ...


class AccountMailLedger(AttentionMailLedger, Protocol):
    """The ledger's accounts, as setting an account's address needs them."""

    def account_mail(self, username: str) -> AccountMail | None:
        """An account's address and weekly flag; None for no such account."""
        ...

    def save_mail(self, mail: AccountMail, entry: AuditEntry) -> None:
        """Keep them with the change's audit entry, in one transaction."""
        ...
