"""The ports staff actions act on, as the composition root (:mod:`consent.bootstrap`) built
them; tests build them from the in-memory fakes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from consent.duplicates import LiveRecord
from consent.hetu import Hetu
from consent.ports import (
    Clock,
    Courses,
    Enrolling,
    GradingJobs,
    ImportedResults,
    Koski,
    LiveRecords,
    PendingImports,
    Submissions,
)


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
