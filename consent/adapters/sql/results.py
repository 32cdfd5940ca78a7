"""Course results in the SQL ledger: imports, and what the sweeper finds still to bind (or
waiting for a day that has come)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
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
        """Upsert a file's results at once: (new or changed result ids, unchanged count).

        A thousand rows at a time, each chunk's people and their results on the course are
        looked up in one statement each and its new results inserted together, so the cost
        of a row does not grow with the file or the ledger, nor depend on the planner's
        statistics of a table that has just begun to fill."""
        now = self._clock()
        changed, unchanged = [], 0
        with self._sessions.begin() as session:
            course = course_row(session, course_code)
            for start in range(0, len(results), _CHUNK):
                chunk = results[start : start + _CHUNK]
                stored, same = _store_chunk(session, self._cipher, course.id, chunk, now)
                changed += stored
                unchanged += same
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
            for start in range(0, len(results), _CHUNK):
                chunk = results[start : start + _CHUNK]
                ids = participants.find_ids(session, self._cipher, [r.identity for r in chunk])
                held = _held_results(session, course.id, [n for n in ids if n is not None])
                for result, participant_id in zip(chunk, ids, strict=True):
                    if participant_id is None and result.hetu is None:
                        unknown.append(RowError(result.row, "oppijanumero", UNKNOWN_OID))
                    found = None if participant_id is None else held.get(participant_id)
                    if found is None:
                        counts["new"] += 1
                    else:
                        counts["unchanged" if found.same_as(result) else "changed"] += 1
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


_CHUNK: Final = 1000  # rows of a file looked up together (a few thousand bound values)


@dataclass(frozen=True)
class _Held:
    """What the course already holds of a participant's result: enough to tell whether a
    file's row changes it."""

    result_id: int
    content_hash: str
    removed_at: dt.datetime | None

    def same_as(self, result: ImportedResult) -> bool:
        """Whether ``result`` is this result unchanged (one removed on request is not: a file
        naming it again brings it back, as new)."""
        return self.removed_at is None and self.content_hash == result.content_hash


def _held_results(
    session: Session, course_id: int, participant_ids: Sequence[int]
) -> dict[int, _Held]:
    """The course's results of these participants, by participant, in one statement."""
    query = select(
        ResultRow.participant_id, ResultRow.id, ResultRow.content_hash, ResultRow.removed_at
    ).where(ResultRow.course_id == course_id, ResultRow.participant_id.in_(participant_ids))
    return {row[0]: _Held(row[1], row[2], row[3]) for row in session.execute(query)}


def _store_chunk(
    session: Session,
    cipher: PiiCipher,
    course_id: int,
    results: Sequence[ImportedResult],
    now: dt.datetime,
) -> tuple[list[int], int]:
    """Store a chunk of a file's results: the ids of those new or changed, in the file's
    order, and how many were unchanged. The new ones are inserted together."""
    ids = _participant_ids(session, cipher, results, now)
    held = _held_results(session, course_id, ids)
    storing = [
        (result, participant_id, found)
        for result, participant_id in zip(results, ids, strict=True)
        if (found := held.get(participant_id)) is None or not found.same_as(result)
    ]
    changing = [found.result_id for _, _, found in storing if found is not None]
    by_id = select(ResultRow).where(ResultRow.id.in_(changing))
    loaded = {row.id: row for row in session.scalars(by_id)} if changing else {}
    rows: list[ResultRow] = []
    for result, participant_id, found in storing:
        if found is None:
            row = ResultRow(course_id=course_id, participant_id=participant_id, created_at=now)
            session.add(row)
        else:
            row = loaded[found.result_id]
        _fill_result(row, result, now)
        rows.append(row)
    session.flush()
    return [row.id for row in rows], len(results) - len(rows)


def _participant_ids(
    session: Session, cipher: PiiCipher, results: Sequence[ImportedResult], now: dt.datetime
) -> list[int]:
    """Each row's participant id, in a few statements for all of them. The people a hetu and
    both names identify are saved together (:func:`participants.save_all`: found, the
    missing created, the others' names refreshed); the others are found together, and
    those of them with a hetu and no row yet created together. A person named by an oid is
    saved as :func:`_participant` saves one if the file gives their names, and refused if
    no row has their oid."""
    connection = session.connection()
    named = {
        result.hetu.reveal(): Person(result.hetu, result.first_names, result.last_name)
        for result in results
        if result.hetu is not None and result.first_names and result.last_name
    }
    found, created = participants.save_all(connection, cipher, named, now)
    saved = found | created
    rest = [
        result for result in results if result.hetu is None or result.hetu.reveal() not in named
    ]
    known = dict(
        zip(
            (result.row for result in rest),
            participants.find_ids(session, cipher, [result.identity for result in rest]),
            strict=True,
        )
    )
    new = {  # a new person gets what names the file gives, even one of the two
        result.hetu.reveal(): Person(result.hetu, result.first_names or "", result.last_name or "")
        for result in rest
        if result.hetu is not None and known[result.row] is None
    }
    saved |= participants.create_all(connection, cipher, new, now)
    ids = []
    for result in results:
        if result.hetu is not None:
            # Found, or saved just now; looked up with get: a KeyError would name the hetu.
            by_hetu = known.get(result.row) or saved.get(result.hetu.reveal())
            if by_hetu is None:
                raise LookupError(f"row {result.row}: the participant was neither found nor saved")
            ids.append(by_hetu)
            continue
        oid_person = known[result.row]
        if oid_person is None or (result.first_names and result.last_name):
            oid_person = _participant(session, cipher, result, now)
        ids.append(oid_person)
    return ids


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
