"""KOSKI submissions in the SQL ledger: what sending one reads, claims and stores.

The writes of the submit path are Core statements, not the ORM's: they run for every
submission sent, in a work horse, where the ORM's unit of work cost more than the statements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.orm import sessionmaker

from consent.adapters.sql import participants, revocations
from consent.adapters.sql.audit import audit_row, audit_values
from consent.adapters.sql.courses import course_of
from consent.adapters.sql.graded import graded_of
from consent.adapters.sql.tables import (
    AuditRow,
    ConsentRow,
    CourseRow,
    ParticipantRow,
    ResultRow,
    SubmissionRow,
)
from consent.errors import NotFound
from consent.koski_payload import StudyRight
from consent.model import AuditEntry, ConsentState, SubmissionState
from consent.ports import Clock, PiiCipher
from consent.submissions import SendView, SubmissionChange, Unsent

IN_FLIGHT_TIMEOUT = dt.timedelta(minutes=5)  # well above one KOSKI call (5 s connect + 30 s read)
# A retry is scheduled in RQ by the job that failed; the sweeper steps in only when that
# scheduled job evidently vanished (longer than a sweep interval past its time).
RETRY_GRACE = dt.timedelta(minutes=2)


class DueSubmissions(NamedTuple):
    """What the sweeper should queue: submissions never sent yet (``unsent``, sent by range
    jobs) and those whose retry or run evidently vanished (``lost``, a job each)."""

    unsent: list[int]
    lost: list[int]


class SqlSubmissions:
    """:class:`consent.ports.Submissions` in SQL; each method is one transaction."""

    def __init__(self, engine: Engine, cipher: PiiCipher, clock: Clock) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._cipher = cipher
        self._clock = clock

    def send_view(self, submission_id: int) -> SendView:
        """The submission with its course, participant, result and consent (two queries)."""
        with self._sessions.begin() as session:
            found = session.execute(
                select(SubmissionRow, ResultRow, CourseRow, ParticipantRow, ConsentRow)
                .join(ResultRow, ResultRow.id == SubmissionRow.result_id)
                .join(CourseRow, CourseRow.id == ResultRow.course_id)
                .join(ParticipantRow, ParticipantRow.id == ResultRow.participant_id)
                .outerjoin(ConsentRow, ConsentRow.id == ResultRow.consent_id)
                .where(SubmissionRow.id == submission_id)
            ).one_or_none()
            if found is None:
                raise NotFound(f"no submission {submission_id}")
            sub, result, course, participant, consent = found
            return SendView(
                submission_id=sub.id,
                state=SubmissionState(sub.state),
                attempts=sub.attempts,
                payload_hash=sub.payload_hash,
                right=StudyRight(sub.source_id, sub.source_system, sub.oid),
                course=course_of(session, course),
                person=participants.person(self._cipher, participant),
                result=graded_of(result),
                consent_id=consent.id if consent else None,
                consent_state=ConsentState(consent.state) if consent else None,
                claimed_by=sub.claimed_by,
            )

    def unsent(self, first_id: int, last_id: int) -> list[Unsent]:
        """Submissions with ids ``first_id``..``last_id`` that wait for their first send:
        pending or in flight, with no retry scheduled. A scheduled retry has a job of its
        own, so a range job never sends the same row as a retry job."""
        query = (
            select(SubmissionRow.id, SubmissionRow.state, SubmissionRow.claimed_by)
            .where(
                SubmissionRow.id.between(first_id, last_id),
                SubmissionRow.state.in_(
                    (SubmissionState.PENDING.value, SubmissionState.IN_FLIGHT.value)
                ),
                SubmissionRow.next_attempt_at.is_(None),
            )
            .order_by(SubmissionRow.id)
        )
        with self._engine.connect() as connection:
            return [
                Unsent(row_id, SubmissionState(state), claimed_by)
                for row_id, state, claimed_by in connection.execute(query)
            ]

    def claim(
        self, submission_id: int, state: SubmissionState, attempts: int, by: str | None, actor: str
    ) -> bool:
        """Mark the submission in flight with one attempt more, taken by job ``by``, if it is
        still as it was read (``state``, ``attempts``); False when another job took it
        meanwhile (every claim counts an attempt)."""
        with self._engine.begin() as connection:
            claimed = connection.execute(
                update(SubmissionRow)
                .where(
                    SubmissionRow.id == submission_id,
                    SubmissionRow.state == state.value,
                    SubmissionRow.attempts == attempts,
                )
                .values(
                    state=SubmissionState.IN_FLIGHT.value,
                    attempts=attempts + 1,
                    claimed_by=by,
                    updated_at=self._clock(),
                )
                .returning(SubmissionRow.last_error_keys)
            ).one_or_none()
            if claimed is None:
                return False
            self._audit_change(
                connection, actor, submission_id, "in_flight", claimed.last_error_keys
            )
            return True

    def defer(self, submission_ids: Sequence[int], until: dt.datetime) -> None:
        """Schedule these pending submissions' first send for ``until`` (KOSKI asked to wait);
        from then on each is a retry with a job of its own."""
        if not submission_ids:
            return
        with self._engine.begin() as connection:
            connection.execute(
                update(SubmissionRow)
                .where(
                    SubmissionRow.id.in_(submission_ids),
                    SubmissionRow.state == SubmissionState.PENDING.value,
                    SubmissionRow.next_attempt_at.is_(None),
                )
                .values(next_attempt_at=until, updated_at=self._clock())
            )

    def change(self, submission_id: int, change: SubmissionChange, actor: str) -> None:
        """Store what happened to a submission, audited in the name of ``actor``."""
        with self._engine.begin() as connection:
            state, keys = connection.execute(
                update(SubmissionRow)
                .where(SubmissionRow.id == submission_id)
                .values(**column_values(change), updated_at=self._clock())
                .returning(SubmissionRow.state, SubmissionRow.last_error_keys)
            ).one()
            self._audit_change(connection, actor, submission_id, state, keys)

    def _audit_change(
        self,
        connection: Connection,
        actor: str,
        submission_id: int,
        state: str,
        keys: list[str] | None,
    ) -> None:
        """The audit row of a change to a submission: who, its new state and error keys."""
        details = {"keys": keys or []}
        entry = AuditEntry(actor[:64], f"submission.{state}", "submission", submission_id, details)
        connection.execute(insert(AuditRow), audit_values(entry, self._clock))

    def audit(self, entry: AuditEntry) -> None:
        """Add an entry to the audit trail (what staff did, with ids and codes only)."""
        with self._sessions.begin() as session:
            session.add(audit_row(entry, self._clock))

    def revoke(
        self, consent_id: int, by: str, source: str, notified_on: dt.date | None = None
    ) -> list[int]:
        """Mark a consent revoked (kept, never sent again); stop its submissions. Their ids.

        ``notified_on`` is the day OPH told the organiser, when staff register it."""
        with self._sessions.begin() as session:
            return revocations.revoke(
                session, consent_id, by, source, notified_on=notified_on, clock=self._clock
            )

    def due_submissions(self, now: dt.datetime, limit: int = 500) -> DueSubmissions:
        """Submissions the sweeper should queue: pending and never scheduled (their range job
        may be gone), pending and overdue, or stuck in flight.

        A submission in flight for longer than a job may run lost its worker; sending it
        again is safe, since KOSKI finds the record by its lähdejärjestelmänId.
        """
        pending = SubmissionRow.state == SubmissionState.PENDING.value
        unsent = pending & SubmissionRow.next_attempt_at.is_(None)
        overdue = pending & (SubmissionRow.next_attempt_at <= now - RETRY_GRACE)
        stuck = (SubmissionRow.state == SubmissionState.IN_FLIGHT.value) & (
            SubmissionRow.updated_at < now - IN_FLIGHT_TIMEOUT
        )
        query = (
            select(SubmissionRow.id, unsent)
            .where(unsent | overdue | stuck)
            .order_by(SubmissionRow.id)
            .limit(limit)
        )
        due = DueSubmissions([], [])
        with self._engine.connect() as connection:
            for row_id, never_scheduled in connection.execute(query):
                (due.unsent if never_scheduled else due.lost).append(row_id)
        return due


def column_values(change: SubmissionChange) -> dict[str, object]:
    """A change as the columns of its submission row."""
    values = change.stored()
    if isinstance(state := values.get("state"), SubmissionState):
        values["state"] = state.value
    if isinstance(keys := values.get("last_error_keys"), tuple):
        values["last_error_keys"] = list(keys)
    return values
