"""The ports staff actions act on, as the composition root (:mod:`consent.bootstrap`) built
them; tests build them from the in-memory fakes."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from consent.attention import Found
from consent.duplicates import LiveRecord
from consent.errors import NotFound, UnknownCourse
from consent.export_views import CourseExport, SignedForm, YearSummary
from consent.hetu import Hetu
from consent.import_files import SheetReader
from consent.model import AuditEntry
from consent.oppijanumero import Oppijanumero
from consent.person_views import PersonExport
from consent.ports import (
    AttentionReader,
    Clock,
    ConsentRecords,
    Courses,
    Enrolling,
    Exports,
    GradingJobs,
    ImportedResults,
    Koski,
    LiveRecords,
    PendingImports,
    People,
    SignedForms,
    StatusReader,
    Submissions,
)
from consent.results import ResultSubmission
from consent.submissions import SubmissionChange
from consent.views import ParticipantStatus, UnknownCourseConsent


@dataclass(frozen=True)
class Signing:
    """The signing connector's side of staff actions, when it is configured."""

    enrolments: Enrolling
    invite: Callable[[int], None]  # queues the invitation of one enrolment (its id)
    expiry_days: int  # how long an invitation may be signed


class NoLiveRecords:
    """No record held anywhere: staff actions built without a ledger warn of no duplicate."""

    def live_records(
        self, hetus: Sequence[Hetu], oppilaitos_oid: str, opintokokonaisuus: str
    ) -> dict[Hetu, list[LiveRecord]]:
        """None for anyone."""
        return {}


class NoStatus:
    """No ledger to read: staff actions built without one know no course."""

    def course_status(self, code: str, hetu: Hetu | None = None) -> list[ParticipantStatus]:
        """No such course."""
        raise UnknownCourse(code)

    def unknown_course_consents(self) -> list[UnknownCourseConsent]:
        """None."""
        return []


class NoPeople:
    """No ledger of people: staff actions built without one find nobody and remove nothing."""

    def person_export(self, who: Hetu | Oppijanumero) -> PersonExport:
        """Nothing about anyone."""
        return PersonExport(None, None)

    def result_for_removal(self, result_id: int) -> tuple[int, ResultSubmission | None]:
        """No result."""
        raise NotFound(f"no result {result_id}")

    def remove_result(
        self,
        result_id: int,
        submission: ResultSubmission | None,
        change: SubmissionChange | None,
        entries: Sequence[AuditEntry],
    ) -> bool:
        """No result."""
        raise NotFound(f"no result {result_id}")

    def delete_contact(self, enrolment_id: int, entry: AuditEntry) -> None:
        """No enrolment."""
        raise NotFound(f"no enrolment {enrolment_id}")

    def audit(self, entry: AuditEntry) -> None:
        """Nowhere to keep it."""


class NoAttention:
    """No ledger to read: staff actions built without one list nothing needing attention."""

    def attention_found(self) -> list[Found]:
        """Nothing."""
        return []

    def seen_marks(self) -> dict[str, str]:
        """No marks."""
        return {}

    def mark_seen(self, key: str, fingerprint: str, entry: AuditEntry) -> None:
        """Nowhere to keep it."""


class NoExports:
    """No ledger to export: staff actions built without one know no course and no record."""

    def course_export(self, code: str, *, full_hetu: bool) -> CourseExport:
        """No course."""
        raise UnknownCourse(code)

    def year_summary(self, year: int) -> YearSummary:
        """Nothing counted."""
        return YearSummary(year, [])


class NoSignedForms:
    """No ledger of signed forms: none is found."""

    def consent_form(self, consent_id: int) -> SignedForm | None:
        """None."""
        return None

    def consents_with_forms(self, course_code: str) -> set[int]:
        """None."""
        return set()

    def forms_among(self, consent_ids: Collection[int]) -> set[int]:
        """None."""
        return set()


@dataclass(frozen=True)
class StaffServices:
    """What the staff actions need."""

    courses: Courses
    results: ImportedResults
    submissions: Submissions
    jobs: GradingJobs
    koski: Koski
    pending: PendingImports
    clock: Clock
    allow_temporary_hetu: bool = False
    signing: Signing | None = None  # None: the signing connector is off
    records: LiveRecords = field(default_factory=NoLiveRecords)  # for duplicate warnings
    people: People = field(default_factory=NoPeople)  # a person's requests (access, removal)
    sheets: SheetReader | None = None  # reads .xlsx uploads; None: they are refused
    attention: AttentionReader = field(default_factory=NoAttention)  # the attention list
    exports: Exports = field(default_factory=NoExports)  # course exports, yearly summaries
    recorded: ConsentRecords | None = None  # consents staff record from paper; None: none
    forms: SignedForms = field(default_factory=NoSignedForms)  # each consent's signed PDF
    status: StatusReader = field(default_factory=NoStatus)  # a course's status, one person's
