"""Courses, results and KOSKI submissions in the SQL ledger."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from consent.adapters.sql import participants
from consent.adapters.sql.audit import audit_row, audit_values
from consent.adapters.sql.tables import (
    AuditRow,
    ConsentRow,
    CoursePartRow,
    CourseRow,
    ParticipantRow,
    ResultRow,
    RevocationRow,
    SubmissionRow,
)
from consent.courses import Course, CoursePart, GradingScale
from consent.errors import NotFound, UnknownCourse
from consent.grading import Decide, ResultForBinding, SendView, Unsent
from consent.koski_payload import GradedResult, StudyRight
from consent.model import AuditEntry, ConsentState, Person, SubmissionState
from consent.ports import PiiCipher
from consent.results import ImportedResult, ResultStatus

Clock = Callable[[], dt.datetime]
IN_FLIGHT_TIMEOUT = dt.timedelta(minutes=5)  # well above one KOSKI call (5 s connect + 30 s read)
# A retry is scheduled in RQ by the job that failed; the sweeper steps in only when that
# scheduled job evidently vanished (longer than a sweep interval past its time).
RETRY_GRACE = dt.timedelta(minutes=2)
STOPPED = (SubmissionState.REVOKED.value, SubmissionState.DELETED.value)


class DueSubmissions(NamedTuple):
    """What the sweeper should queue: submissions never sent yet (``unsent``, sent by range
    jobs) and those whose retry or run evidently vanished (``lost``, a job each)."""

    unsent: list[int]
    lost: list[int]


class SqlGrading:
    """The grading side of the ledger; each method is one transaction."""

    def __init__(self, engine: Engine, cipher: PiiCipher, clock: Clock) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._cipher = cipher
        self._clock = clock

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def save_course(self, course: Course, actor: str) -> int:
        """Create or update a course and replace its parts."""
        now = self._clock()
        with self._tx() as session:
            row = session.execute(
                select(CourseRow).where(CourseRow.code == course.code)
            ).scalar_one_or_none()
            row = row or CourseRow(code=course.code, created_at=now)
            _fill_course(row, course, now)
            session.add(row)
            session.flush()
            session.execute(delete(CoursePartRow).where(CoursePartRow.course_id == row.id))
            for position, part in enumerate(course.parts):
                session.add(
                    CoursePartRow(
                        course_id=row.id,
                        position=position,
                        code=part.code,
                        name=part.name,
                        description=part.description,
                        laajuus_op=part.laajuus_op,
                    )
                )
            session.add(
                audit_row(
                    AuditEntry(actor, "course.saved", "course", row.id, {"code": course.code}),
                    self._clock,
                )
            )
            return row.id

    def find_course(self, code: str) -> Course | None:
        """The course with this code."""
        with self._tx() as session:
            row = session.execute(
                select(CourseRow).where(CourseRow.code == code)
            ).scalar_one_or_none()
            return None if row is None else _course(session, row)

    def courses(self) -> list[Course]:
        """Every course, the latest ending first."""
        query = select(CourseRow).order_by(CourseRow.end_date.desc(), CourseRow.code)
        with self._tx() as session:
            return [_course(session, row) for row in session.execute(query).scalars()]

    def store_results(
        self, course_code: str, results: list[ImportedResult], actor: str
    ) -> tuple[list[int], int]:
        """Upsert a file's results at once: (new or changed result ids, unchanged count)."""
        now = self._clock()
        changed, unchanged = [], 0
        with self._tx() as session:
            course = _course_row(session, course_code)
            for result in results:
                participant_id = _participant(session, self._cipher, result, now)
                row = session.execute(
                    select(ResultRow).where(
                        ResultRow.course_id == course.id, ResultRow.participant_id == participant_id
                    )
                ).scalar_one_or_none()
                if row is not None and row.content_hash == result.content_hash:
                    unchanged += 1
                    continue
                row = row or ResultRow(
                    course_id=course.id, participant_id=participant_id, created_at=now
                )
                row.grade, row.graded_on, row.status = (
                    result.grade or "",
                    result.graded_on,
                    result.status.value,
                )
                row.part_grades, row.content_hash = dict(result.part_grades), result.content_hash
                row.binding, row.updated_at = "pending", now
                session.add(row)
                session.flush()
                changed.append(row.id)
            details = {"code": course_code, "changed": len(changed), "unchanged": unchanged}
            session.add(
                audit_row(
                    AuditEntry(actor, "results.imported", "course", course.id, details), self._clock
                )
            )
        return changed, unchanged

    def preview_results(self, course_code: str, results: list[ImportedResult]) -> dict[str, int]:
        """What storing ``results`` would do, changing nothing: new, changed, unchanged."""
        counts = {"new": 0, "changed": 0, "unchanged": 0}
        with self._tx() as session:
            course = _course_row(session, course_code)
            for result in results:
                person = participants.find_row(session, self._cipher, result.hetu)
                row = None
                if person is not None:
                    row = session.execute(
                        select(ResultRow).where(
                            ResultRow.course_id == course.id, ResultRow.participant_id == person.id
                        )
                    ).scalar_one_or_none()
                if row is None:
                    counts["new"] += 1
                else:
                    same = row.content_hash == result.content_hash
                    counts["unchanged" if same else "changed"] += 1
        return counts

    def results_of(self, course_code: str, participant_id: int) -> list[int]:
        """Ids of this participant's results on this course (to bind again when consent changes)."""
        with self._tx() as session:
            query = (
                select(ResultRow.id)
                .join(CourseRow, CourseRow.id == ResultRow.course_id)
                .where(CourseRow.code == course_code, ResultRow.participant_id == participant_id)
            )
            return list(session.execute(query).scalars())

    def bind(self, result_id: int, source_system: str, decide: Decide) -> tuple[str, int | None]:
        """Bind a result to its consent in one transaction; for an eligible result, the
        submission to send (created if new), else None."""
        now = self._clock()
        with self._tx() as session:
            row = session.get_one(ResultRow, result_id)
            code = session.get_one(CourseRow, row.course_id).code
            consent = session.execute(
                select(ConsentRow).where(
                    ConsentRow.course_code == code, ConsentRow.participant_id == row.participant_id
                )
            ).scalar_one_or_none()
            result = ResultForBinding(
                result_id,
                code,
                row.participant_id,
                row.grade or None,
                ResultStatus(row.status),
                dict(row.part_grades or {}),
            )
            binding = decide(ConsentState(consent.state) if consent else None, result)
            row.consent_id, row.binding, row.updated_at = (
                consent.id if consent else None,
                binding,
                now,
            )
            if binding != "eligible":
                return binding, None
            return binding, _submission_to_send(session, result_id, source_system, now)

    def send_view(self, submission_id: int) -> SendView:
        """The submission with its course, participant, result and consent (two queries)."""
        with self._tx() as session:
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
                course=_course(session, course),
                person=participants.person(self._cipher, participant),
                result=GradedResult(
                    result.grade or None,
                    result.graded_on,
                    ResultStatus(result.status),
                    dict(result.part_grades or {}),
                ),
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
        self, submission_id: int, state: SubmissionState, attempts: int, by: str | None
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
            self._audit_outcome(connection, submission_id, "in_flight", claimed.last_error_keys)
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

    def update_submission(self, submission_id: int, **values: Any) -> None:
        """Record what happened to a submission (state, oid, versionumero, errors, attempts).

        Core, not the ORM: this runs for every submission sent, in a work horse, where the
        ORM's unit of work cost more than the statements.
        """
        with self._engine.begin() as connection:
            state, keys = connection.execute(
                update(SubmissionRow)
                .where(SubmissionRow.id == submission_id)
                .values(**values, updated_at=self._clock())
                .returning(SubmissionRow.state, SubmissionRow.last_error_keys)
            ).one()
            self._audit_outcome(connection, submission_id, state, keys)

    def _audit_outcome(
        self, connection: Connection, submission_id: int, state: str, keys: list[str] | None
    ) -> None:
        """The audit row of a worker's change to a submission: its new state and error keys."""
        entry = AuditEntry(
            "worker", f"submission.{state}", "submission", submission_id, {"keys": keys or []}
        )
        connection.execute(insert(AuditRow), audit_values(entry, self._clock))

    def record(self, entry: AuditEntry) -> None:
        """Add an entry to the audit trail (what staff did, with ids and codes only)."""
        with self._tx() as session:
            session.add(audit_row(entry, self._clock))

    def revoke(
        self, consent_id: int, by: str, source: str, notified_on: dt.date | None = None
    ) -> list[int]:
        """Mark a consent revoked (kept, never sent again); stop its submissions. Their ids.

        ``notified_on`` is the day OPH told the organiser, when staff register it."""
        now = self._clock()
        with self._tx() as session:
            consent = session.get(ConsentRow, consent_id)
            if consent is None:
                raise NotFound(f"no consent {consent_id}")
            consent.state, consent.updated_at = ConsentState.REVOKED.value, now
            if (
                session.execute(
                    select(RevocationRow).where(RevocationRow.consent_id == consent_id)
                ).first()
                is None
            ):
                session.add(
                    RevocationRow(
                        consent_id=consent_id,
                        registered_at=now,
                        registered_by=by[:64],
                        source=source,
                        notified_on=notified_on,
                    )
                )
            query = (
                select(SubmissionRow)
                .join(ResultRow, ResultRow.id == SubmissionRow.result_id)
                .where(ResultRow.consent_id == consent_id)
            )
            stopped = []
            for sub in session.execute(query).scalars():
                sub.state, sub.updated_at = SubmissionState.REVOKED.value, now
                stopped.append(sub.id)
            session.add(
                audit_row(
                    AuditEntry(
                        by[:64],
                        "consent.revoked",
                        "consent",
                        consent_id,
                        {"source": source}
                        | ({"notified_on": notified_on.isoformat()} if notified_on else {}),
                    ),
                    self._clock,
                )
            )
            return stopped

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

    def stale_bindings(self, limit: int = 500) -> list[int]:
        """Results judged without a consent, or with a rejected or cancelled one, whose
        participant now has a consent or a valid one (for the sweeper).

        Binding a consent queues its participant's results again; a worker that died between
        the two leaves them judged on the old state, and this finds them.
        """
        consent_valid = ConsentRow.state == ConsentState.VALID.value
        stale = (ResultRow.binding == "no_consent") | (
            ResultRow.binding.in_(("consent_rejected", "consent_cancelled")) & consent_valid
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
        with self._tx() as session:
            return list(session.execute(query).scalars())

    def unbound_results(self, limit: int = 500) -> list[int]:
        """Results imported but not yet bound (for the sweeper)."""
        with self._tx() as session:
            query = (
                select(ResultRow.id)
                .where(ResultRow.binding == "pending")
                .order_by(ResultRow.id)
                .limit(limit)
            )
            return list(session.execute(query).scalars())


def _participant(
    session: Session, cipher: PiiCipher, result: ImportedResult, now: dt.datetime
) -> int:
    """The participant's id; names from the file replace stored ones only when both are given."""
    existing = participants.find_row(session, cipher, result.hetu)
    if existing is not None and not (result.first_names and result.last_name):
        return existing.id
    person = Person(result.hetu, result.first_names or "", result.last_name or "")
    return participants.save(session, cipher, person, now)


def _fill_course(row: CourseRow, course: Course, now: dt.datetime) -> None:
    row.name_fi, row.name_sv, row.name_en = (
        course.name["fi"],
        course.name.get("sv"),
        course.name.get("en"),
    )
    row.opintokokonaisuus, row.laajuus_op, row.end_date = (
        course.opintokokonaisuus,
        course.laajuus_op,
        course.end_date,
    )
    row.oppilaitos_oid, row.toimipiste_oid, row.language = (
        course.oppilaitos_oid,
        course.toimipiste_oid,
        course.language,
    )
    row.grading_scale = course.grading_scale.value
    row.confirmer_name, row.confirmer_title, row.updated_at = (
        course.confirmer_name,
        course.confirmer_title,
        now,
    )


def _course(session: Session, row: CourseRow) -> Course:
    parts = session.execute(
        select(CoursePartRow)
        .where(CoursePartRow.course_id == row.id)
        .order_by(CoursePartRow.position)
    ).scalars()
    names = {k: v for k, v in (("fi", row.name_fi), ("sv", row.name_sv), ("en", row.name_en)) if v}
    return Course(
        code=row.code,
        name=names,
        opintokokonaisuus=row.opintokokonaisuus,
        laajuus_op=Decimal(row.laajuus_op),
        end_date=row.end_date,
        oppilaitos_oid=row.oppilaitos_oid,
        toimipiste_oid=row.toimipiste_oid,
        language=row.language,
        grading_scale=GradingScale(row.grading_scale),
        confirmer_name=row.confirmer_name,
        confirmer_title=row.confirmer_title,
        parts=tuple(
            CoursePart(p.code, p.name, p.description, Decimal(p.laajuus_op)) for p in parts
        ),
    )


def _submission_to_send(
    session: Session, result_id: int, source_system: str, now: dt.datetime
) -> int | None:
    """The result's submission, created if new, made pending again if it can be; None if stopped."""
    submission = session.execute(
        select(SubmissionRow).where(SubmissionRow.result_id == result_id)
    ).scalar_one_or_none()
    if submission is None:
        # The lähdejärjestelmänId is committed before the first call, so a retry after a
        # lost answer updates the same record instead of creating a second one.
        submission = SubmissionRow(
            result_id=result_id,
            source_id=f"vstc-{uuid.uuid4().hex}",
            source_system=source_system,
            state=SubmissionState.PENDING.value,
            attempts=0,
            created_at=now,
            updated_at=now,
        )
        session.add(submission)
    elif submission.state in STOPPED:
        return None
    elif submission.state != SubmissionState.IN_FLIGHT.value:
        if submission.state != SubmissionState.PENDING.value:
            submission.next_attempt_at = None  # a first send again, not a retry
        submission.state, submission.attempts, submission.updated_at = (
            SubmissionState.PENDING.value,
            0,
            now,
        )
    session.flush()
    return submission.id


def _course_row(session: Session, code: str) -> CourseRow:
    """The course's row; UnknownCourse if there is none."""
    course = session.execute(select(CourseRow).where(CourseRow.code == code)).scalar_one_or_none()
    if course is None:
        raise UnknownCourse(code)
    return course
