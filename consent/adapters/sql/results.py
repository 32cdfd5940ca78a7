"""Course results in the SQL ledger: imports, and what the sweeper finds still to bind (or
waiting for a day that has come)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Final

from sqlalchemy import Engine, select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from consent.adapters.sql import participants
from consent.adapters.sql.audit import audit_row
from consent.adapters.sql.courses import course_row
from consent.adapters.sql.result_binding import SqlResultBinding
from consent.adapters.sql.tables import ConsentRow, CourseRow, ResultRow
from consent.import_files import ImportRejected, RowError
from consent.model import AuditEntry, Binding, ConsentState, Person
from consent.ports import Clock, PiiCipher
from consent.record_rules import WAITING_FOR_END
from consent.results import ImportedResult

UNKNOWN_OID: Final = (
    "no participant has this oppijanumero yet: record their consent first (it gives the birth date)"
)


class SqlResults:
    """The results staff import and binding judges; each method is one transaction."""

    def __init__(self, engine: Engine, cipher: PiiCipher, clock: Clock) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # One statement on its own: no BEGIN and COMMIT round trips around it.
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._cipher = cipher
        self._clock = clock

    def store_results(
        self, course_code: str, results: list[ImportedResult], actor: str
    ) -> tuple[list[int], int]:
        """Upsert a file's results at once: (new or changed result ids, unchanged count)."""
        now = self._clock()
        changed, unchanged = [], 0
        with self._sessions.begin() as session:
            course = course_row(session, course_code)
            for result in results:
                participant_id = _participant(session, self._cipher, result, now)
                row = _result_row(session, course.id, participant_id)
                # A removed result is back only when a file names it again: then it is new.
                kept = row is not None and row.removed_at is None
                if kept and row is not None and row.content_hash == result.content_hash:
                    unchanged += 1
                    continue
                row = row or ResultRow(
                    course_id=course.id, participant_id=participant_id, created_at=now
                )
                _fill_result(row, result, now)
                session.add(row)
                session.flush()
                changed.append(row.id)
            details = {"code": course_code, "changed": len(changed), "unchanged": unchanged}
            entry = AuditEntry(actor, "results.imported", "course", course.id, details)
            session.add(audit_row(entry, self._clock))
        return changed, unchanged

    def preview_results(self, course_code: str, results: list[ImportedResult]) -> dict[str, int]:
        """What storing ``results`` would do, changing nothing: new, changed, unchanged."""
        counts = {"new": 0, "changed": 0, "unchanged": 0}
        unknown = []
        with self._sessions.begin() as session:
            course = course_row(session, course_code)
            for result in results:
                person = participants.find_row(session, self._cipher, result.identity)
                if person is None and result.hetu is None:
                    unknown.append(RowError(result.row, "oppijanumero", UNKNOWN_OID))
                row = None if person is None else _result_row(session, course.id, person.id)
                if row is None:
                    counts["new"] += 1
                else:
                    same = row.removed_at is None and row.content_hash == result.content_hash
                    counts["unchanged" if same else "changed"] += 1
        if unknown:
            raise ImportRejected(unknown)
        return counts

    def results_of(self, course_code: str, participant_id: int) -> list[int]:
        """Ids of this participant's results on this course (to bind again when consent changes)."""
        query = (
            select(ResultRow.id)
            .join(CourseRow, CourseRow.id == ResultRow.course_id)
            .where(CourseRow.code == course_code, ResultRow.participant_id == participant_id)
        )
        with self._sessions.begin() as session:
            return list(session.execute(query).scalars())

    def results_of_all(self, participants: Collection[tuple[str, int]]) -> list[int]:
        """Ids of the results of each (course code, participant id) pair, in one autocommitted
        statement (a drain's batch looks up all its participants' at once, after each batch)."""
        if not participants:
            return []
        query = (
            select(ResultRow.id)
            .join(CourseRow, CourseRow.id == ResultRow.course_id)
            .where(tuple_(CourseRow.code, ResultRow.participant_id).in_(list(participants)))
            .order_by(ResultRow.id)
        )
        with self._autocommit.connect() as connection:
            return list(connection.execute(query).scalars())

    @contextmanager
    def binding(self) -> Iterator[SqlResultBinding]:
        """A transaction binding one result: commits on a clean exit, else rolls back."""
        with self._sessions.begin() as session:
            yield SqlResultBinding(session, self._clock)

    def stale_bindings(self, limit: int = 500) -> list[int]:
        """Results judged without a consent, or with a rejected or cancelled one, whose
        participant now has a consent or a valid one (for the sweeper).

        Binding a consent queues its participant's results again; a worker that died between
        the two leaves them judged on the old state, and this finds them.
        """
        consent_valid = ConsentRow.state == ConsentState.VALID.value
        stale = (ResultRow.binding == Binding.NO_CONSENT.value) | (
            ResultRow.binding.in_((Binding.CONSENT_REJECTED.value, Binding.CONSENT_CANCELLED.value))
            & consent_valid
        )
        query = (
            select(ResultRow.id)
            .join(CourseRow, CourseRow.id == ResultRow.course_id)
            .join(
                ConsentRow,
                (ConsentRow.course_code == CourseRow.code)
                & (ConsentRow.participant_id == ResultRow.participant_id),
            )
            .where(stale)
            .order_by(ResultRow.id)
            .limit(limit)
        )
        with self._sessions.begin() as session:
            return list(session.execute(query).scalars())

    def due_waiting(self, today: dt.date, limit: int = 500) -> list[int]:
        """Results waiting for their day (``waiting_for_end``) whose day has come: the
        participant's end date, else the course's, on or before ``today`` (for the sweeper,
        which binds them again, so they go out on their day without anyone acting).

        Bounded, and by the binding's index: the waiting are few beside all results.
        """
        # The record's day is the earlier of the two (a course edited to end sooner than a
        # participant's own end date ends their record with it): due once either has come.
        day_come = (ResultRow.ended_on <= today) | (CourseRow.end_date <= today)
        query = (
            select(ResultRow.id)
            .join(CourseRow, CourseRow.id == ResultRow.course_id)
            .where(ResultRow.binding == WAITING_FOR_END, day_come)
            .order_by(ResultRow.id)
            .limit(limit)
        )
        with self._sessions.begin() as session:
            return list(session.execute(query).scalars())

    def unbound_results(self, limit: int = 500) -> list[int]:
        """Results imported but not yet bound (for the sweeper)."""
        query = (
            select(ResultRow.id)
            .where(ResultRow.binding == Binding.PENDING.value)
            .order_by(ResultRow.id)
            .limit(limit)
        )
        with self._sessions.begin() as session:
            return list(session.execute(query).scalars())


def _result_row(session: Session, course_id: int, participant_id: int) -> ResultRow | None:
    """The participant's result on the course, if there is one."""
    return session.execute(
        select(ResultRow).where(
            ResultRow.course_id == course_id, ResultRow.participant_id == participant_id
        )
    ).scalar_one_or_none()


def _fill_result(row: ResultRow, result: ImportedResult, now: dt.datetime) -> None:
    """The imported result on its row, waiting to be bound again."""
    row.grade, row.graded_on, row.ended_on, row.status = (
        result.grade or "",
        result.graded_on,
        result.ended_on,
        result.status.value,
    )
    row.part_grades, row.content_hash = dict(result.part_grades), result.content_hash
    row.binding, row.updated_at, row.removed_at = Binding.PENDING.value, now, None


def _participant(
    session: Session, cipher: PiiCipher, result: ImportedResult, now: dt.datetime
) -> int:
    """The participant's id; names from the file replace stored ones only when both are given."""
    existing = participants.find_row(session, cipher, result.identity)
    if existing is not None and not (result.first_names and result.last_name):
        return existing.id
    names = (result.first_names or "", result.last_name or "")
    if result.hetu is not None:
        return participants.save(session, cipher, Person(result.hetu, *names), now)
    if existing is None:  # no birth date is known of them: the age rule needs one
        raise ImportRejected([RowError(result.row, "oppijanumero", UNKNOWN_OID)])
    known = participants.person(cipher, existing)
    return participants.save(
        session, cipher, replace(known, first_names=names[0], last_name=names[1]), now
    )
