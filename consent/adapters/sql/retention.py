"""The retention purge in SQL: finds, counts and deletes what :mod:`consent.retention_rules`
says has no lasting purpose, in small batches, while the web and the workers run.

Each kind is one set of conditions on its own table's row (correlated subqueries, no joins),
so the same conditions select a batch, count a dry run and guard the delete itself. A batch
is read ``FOR UPDATE SKIP LOCKED`` on PostgreSQL: a row that a binding, an import or an
enrolment holds right now is left for the next run, and no submission, consent or
enrolment can come to refer to a locked row before the delete (adding a reference waits
for the lock). The delete then checks the conditions again in a statement of its own, so
what changed since the batch was read stays. On SQLite writers take turns and each delete
is one statement. The foreign keys stand behind all of it: a row still referred to is never
deleted, a race with one rolls back that batch only, and it is tried again the next day.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, Final

from sqlalchemy import ColumnElement, Engine, and_, delete, exists, func, not_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, aliased, sessionmaker

from consent.adapters.sql.audit import audit_row
from consent.adapters.sql.pending_imports import KEPT_FOR
from consent.adapters.sql.tables import (
    AuditRow,
    ConsentRow,
    CourseRow,
    EnrolmentRow,
    ParticipantRow,
    PendingImportRow,
    ResultRow,
    SubmissionRow,
)
from consent.model import AuditEntry
from consent.ports import Clock
from consent.retention import PURGED
from consent.retention_rules import Purged, RetentionLimits

log = logging.getLogger("vst.retention")

BATCH: Final = 500  # rows a transaction deletes at most: short locks, short transactions

Conditions = list[ColumnElement[bool]]


class SqlRetention:
    """:class:`consent.ports.RetentionStore` over SQLAlchemy."""

    def __init__(self, engine: Engine, clock: Clock, batch: int = BATCH) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._clock = clock
        self._batch = batch

    def purgeable(self, limits: RetentionLimits) -> Purged:
        """How many of each kind :meth:`purge` would delete now, counting the participants
        the purge of the results and enrolments would leave referred to by nothing."""
        with self._sessions() as session:

            def count(table: Any, conditions: Conditions) -> int:
                query = select(func.count()).select_from(table).where(*conditions)
                return int(session.execute(query).scalar_one())

            return Purged(
                results=count(ResultRow, results_due(ResultRow, limits)),
                enrolments=count(EnrolmentRow, enrolments_due(EnrolmentRow, limits)),
                participants=count(ParticipantRow, participants_due(limits, counting=True)),
                pending_imports=count(PendingImportRow, imports_due(limits)),
            )

    def purge(self, limits: RetentionLimits) -> Purged:
        """Delete what is due, kind by kind: results and enrolments first, then the
        participants they leave referred to by nothing, then expired uploads."""
        return Purged(
            results=self._delete(ResultRow.id, lambda: results_due(ResultRow, limits)),
            enrolments=self._delete(EnrolmentRow.id, lambda: enrolments_due(EnrolmentRow, limits)),
            participants=self._delete(ParticipantRow.id, lambda: participants_due(limits)),
            pending_imports=self._delete(PendingImportRow.id, lambda: imports_due(limits)),
        )

    def last_purge(self) -> dt.datetime | None:
        """When the last purge was audited; None if none ever was."""
        query = select(func.max(AuditRow.occurred_at)).where(AuditRow.action == PURGED)
        with self._sessions() as session:
            last: dt.datetime | None = session.execute(query).scalar_one()
        return last

    def audit(self, entry: AuditEntry) -> None:
        """Add one line to the audit trail."""
        with self._sessions.begin() as session:
            session.add(audit_row(entry, self._clock))

    def _delete(self, key: InstrumentedAttribute[Any], conditions: Callable[[], Conditions]) -> int:
        """Delete the rows of ``key``'s table that meet ``conditions``, a batch to a
        transaction, until none is left; how many went. A batch a concurrent reference
        made fail is rolled back and left to the next run."""
        table = key.class_
        deleted = 0
        while True:
            try:
                with self._sessions.begin() as session:
                    batch = (
                        select(key)
                        .where(*conditions())
                        .order_by(key)
                        .limit(self._batch)
                        .with_for_update(skip_locked=True)
                    )
                    ids = list(session.execute(batch).scalars())
                    if not ids:
                        return deleted
                    gone = delete(table).where(key.in_(ids), *conditions())
                    count: int = session.execute(gone).rowcount  # type: ignore[attr-defined]  # a CursorResult
            except IntegrityError:
                log.warning("retention.batch_left table=%s", table.__tablename__)
                return deleted
            deleted += count
            if count == 0 or len(ids) < self._batch:
                return deleted


def results_due(result: Any, limits: RetentionLimits) -> Conditions:
    """A result (the table or an alias of it) past its course's end, with no submission
    row, of a person who never gave a valid consent for its course."""
    course_ended = exists().where(
        CourseRow.id == result.course_id, CourseRow.end_date <= limits.ended_on_or_before
    )
    lasting_consent = exists().where(
        CourseRow.id == result.course_id,
        ConsentRow.course_code == CourseRow.code,
        ConsentRow.participant_id == result.participant_id,
        ConsentRow.state.not_in([s.value for s in limits.no_valid_consent]),
    )
    return [
        course_ended,
        or_(result.ended_on.is_(None), result.ended_on <= limits.ended_on_or_before),
        ~exists().where(SubmissionRow.result_id == result.id),
        ~lasting_consent,
    ]


def enrolments_due(enrolment: Any, limits: RetentionLimits) -> Conditions:
    """An enrolment whose signing ended unsigned and was posted, of a person with no valid
    consent for the course, past the course's end (or its invitation's expiry, for a course
    not defined here)."""
    course = exists().where(CourseRow.code == enrolment.course_code)
    course_ended = exists().where(
        CourseRow.code == enrolment.course_code, CourseRow.end_date <= limits.ended_on_or_before
    )
    lasting_consent = exists().where(
        ConsentRow.course_code == enrolment.course_code,
        ConsentRow.participant_id == enrolment.participant_id,
        ConsentRow.state.not_in([s.value for s in limits.no_valid_consent]),
    )
    return [
        enrolment.state.in_([s.value for s in limits.ended_unsigned]),
        enrolment.event_posted_at.is_not(None),
        ~lasting_consent,
        or_(course_ended, and_(~course, enrolment.expires_at < limits.expired_before)),
    ]


def participants_due(limits: RetentionLimits, *, counting: bool = False) -> Conditions:
    """A participant untouched for a while that no consent, result or enrolment refers to;
    ``counting`` (a dry run) disregards the results and enrolments a purge would delete."""
    result, enrolment = aliased(ResultRow), aliased(EnrolmentRow)
    by_result = exists().where(result.participant_id == ParticipantRow.id)
    by_enrolment = exists().where(
        or_(
            enrolment.participant_id == ParticipantRow.id,
            enrolment.signer_id == ParticipantRow.id,
        )
    )
    if counting:
        by_result = by_result.where(not_(and_(*results_due(result, limits))))
        by_enrolment = by_enrolment.where(not_(and_(*enrolments_due(enrolment, limits))))
    return [
        ParticipantRow.updated_at < limits.untouched_before,
        ~exists().where(ConsentRow.participant_id == ParticipantRow.id),
        ~by_result,
        ~by_enrolment,
    ]


def imports_due(limits: RetentionLimits) -> Conditions:
    """An uploaded results file past its day (:data:`KEPT_FOR`), whoever it names."""
    return [PendingImportRow.uploaded_at < limits.now - KEPT_FOR]
