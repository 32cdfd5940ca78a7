"""The ports staff actions act on, as the composition root (:mod:`consent.bootstrap`) built
them; tests build them from the in-memory fakes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from consent.ports import (
    Clock,
    Courses,
    Enrolling,
    GradingJobs,
    ImportedResults,
    Koski,
    PendingImports,
    Submissions,
)


@dataclass(frozen=True)
class Signing:
    """The signing connector's side of staff actions, when it is configured."""

    enrolments: Enrolling
    invite: Callable[[int], None]  # queues the invitation of one enrolment (its id)
    expiry_days: int  # how long an invitation may be signed


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
