"""The retention purge's own decisions, with fakes: where the limit falls, what a purge
audits, that a dry run changes nothing, when the daily run is due, and the setting."""

from __future__ import annotations

import datetime as dt

import pytest

from consent import grading, retention
from consent.config import Settings
from consent.errors import ConfigurationError
from consent.model import AuditEntry
from consent.retention_rules import Purged, RetentionLimits, limits
from tests.fakes import InMemoryGrading, MovableClock, RecordingGradingJobs

NOW = dt.datetime(2027, 3, 15, 8, 0, tzinfo=dt.UTC)


class CountingStore:
    """A :class:`consent.ports.RetentionStore` that reports fixed counts and keeps calls."""

    def __init__(self, counts: Purged) -> None:
        self.counts = counts
        self.purged: list[RetentionLimits] = []
        self.audited: list[AuditEntry] = []

    def purgeable(self, limits: RetentionLimits) -> Purged:
        return self.counts

    def purge(self, limits: RetentionLimits) -> Purged:
        self.purged.append(limits)
        return self.counts

    def last_purge(self) -> dt.datetime | None:
        return self.audited[-1].occurred_at if self.audited else None

    def audit(self, entry: AuditEntry) -> None:
        self.audited.append(entry)


def test_a_course_that_ended_the_set_days_ago_is_past_the_limit_and_a_day_later_is_not() -> None:
    line = limits(NOW, 90)
    assert line.ended_on_or_before == dt.date(2026, 12, 15)  # 90 days before 2027-03-15
    assert line.expired_before == dt.datetime(2026, 12, 16, tzinfo=dt.UTC)
    helsinki = dt.timezone(dt.timedelta(hours=2))
    late_evening = dt.datetime(2027, 3, 15, 1, 30, tzinfo=helsinki)  # still the 14th in UTC
    assert limits(late_evening, 90).ended_on_or_before == dt.date(2026, 12, 14)


def test_a_purge_audits_its_counts_and_the_limit_and_nothing_else() -> None:
    store = CountingStore(Purged(results=3, participants=1))
    assert retention.purge(store, MovableClock(NOW), 90, "sweeper") == store.counts
    assert store.purged == [limits(NOW, 90)]
    [entry] = store.audited
    assert (entry.actor, entry.action, entry.subject_type, entry.subject_id) == (
        "sweeper",
        "retention.purged",
        "retention",
        None,
    )
    assert entry.details == {
        "results": 3,
        "enrolments": 0,
        "participants": 1,
        "pending_imports": 0,
        "retention_days": 90,
        "ended_on_or_before": "2026-12-15",
    }


def test_a_dry_run_counts_and_neither_deletes_nor_audits() -> None:
    store = CountingStore(Purged(results=2))
    assert retention.dry_run(store, MovableClock(NOW), 90) == Purged(results=2)
    assert store.purged == []
    assert store.audited == []


def test_the_daily_purge_is_due_a_day_after_the_last() -> None:
    assert retention.due(None, NOW)
    assert not retention.due(NOW, NOW + dt.timedelta(hours=23, minutes=59))
    assert retention.due(NOW, NOW + dt.timedelta(days=1))


def test_retention_days_default_to_ninety_and_a_bad_value_is_refused_by_name() -> None:
    assert Settings.from_env({}).retention_days == 90
    assert Settings.from_env({"RETENTION_DAYS": "30"}).retention_days == 30
    for bad in ("0", "-1", "90d", "1.5", "3651", ""):
        with pytest.raises(ConfigurationError, match="RETENTION_DAYS"):
            Settings.from_env({"RETENTION_DAYS": bad})


def test_a_result_deleted_after_it_was_queued_is_skipped_without_failing_its_batch() -> None:
    ledger = InMemoryGrading()
    assert grading.bind_results([404], ledger, RecordingGradingJobs(), "winnova") == {}
