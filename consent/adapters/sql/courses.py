"""Courses and their parts in the SQL ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ColumnElement, Engine, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from consent.adapters.sql.audit import audit_row
from consent.adapters.sql.tables import CoursePartRow, CourseRow, ResultRow, SubmissionRow
from consent.courses import Course, CoursePart, GradingScale
from consent.errors import UnknownCourse
from consent.model import RETRYABLE, AuditEntry, SubmissionState
from consent.ports import Clock
from consent.submissions import STOPPED


class SqlCourses:
    """The courses staff define; each method is one transaction."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._clock = clock

    def save_course(self, course: Course, actor: str) -> int:
        """Create or update a course and replace its parts."""
        now = self._clock()
        with self._sessions.begin() as session:
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
            entry = AuditEntry(actor, "course.saved", "course", row.id, {"code": course.code})
            session.add(audit_row(entry, self._clock))
            return row.id

    def find_course(self, code: str) -> Course | None:
        """The course with this code."""
        with self._sessions.begin() as session:
            row = session.execute(
                select(CourseRow).where(CourseRow.code == code)
            ).scalar_one_or_none()
            return None if row is None else course_of(session, row)

    def courses(self) -> list[Course]:
        """Every course, the latest ending first."""
        query = select(CourseRow).order_by(CourseRow.end_date.desc(), CourseRow.code)
        with self._sessions.begin() as session:
            return [course_of(session, row) for row in session.execute(query).scalars()]

    def results_to_correct(self, code: str) -> list[int]:
        """The ids of the course's results, in order."""
        query = (
            select(ResultRow.id)
            .join(CourseRow, CourseRow.id == ResultRow.course_id)
            .where(CourseRow.code == code)
            .order_by(ResultRow.id)
        )
        with self._sessions.begin() as session:
            return list(session.execute(query).scalars())

    def live_records(self, code: str) -> int:
        """How many of the course's submissions name a record KOSKI holds or may hold: an oid,
        or a send tried whose answer never came (pending again, in flight or parked after
        attempts: KOSKI may have stored it), and not stopped (a revoked consent's or a deleted
        record KOSKI no longer holds)."""
        query = (
            select(func.count())
            .select_from(SubmissionRow)
            .join(ResultRow, ResultRow.id == SubmissionRow.result_id)
            .join(CourseRow, CourseRow.id == ResultRow.course_id)
            .where(
                CourseRow.code == code,
                SubmissionRow.oid.is_not(None) | _answer_lost(),
                SubmissionRow.state.not_in([state.value for state in STOPPED]),
            )
        )
        with self._sessions.begin() as session:
            return session.execute(query).scalar_one()

    def retryable_submissions(self, code: str) -> list[int]:
        """The ids of the course's parked or failed submissions, in order."""
        query = (
            select(SubmissionRow.id)
            .join(ResultRow, ResultRow.id == SubmissionRow.result_id)
            .join(CourseRow, CourseRow.id == ResultRow.course_id)
            .where(
                CourseRow.code == code,
                SubmissionRow.state.in_([state.value for state in RETRYABLE]),
            )
            .order_by(SubmissionRow.id)
        )
        with self._sessions.begin() as session:
            return list(session.execute(query).scalars())


def course_row(session: Session, code: str) -> CourseRow:
    """The course's row; UnknownCourse if there is none."""
    course = session.execute(select(CourseRow).where(CourseRow.code == code)).scalar_one_or_none()
    if course is None:
        raise UnknownCourse(code)
    return course


def course_of(session: Session, row: CourseRow) -> Course:
    """The course a row holds, with its parts in order."""
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


def _answer_lost() -> ColumnElement[bool]:
    """A submission sent at least once whose record KOSKI may hold though no oid came back."""
    unanswered = (SubmissionState.PENDING, SubmissionState.IN_FLIGHT, SubmissionState.PARKED)
    return (SubmissionRow.attempts > 0) & SubmissionRow.state.in_([s.value for s in unanswered])
