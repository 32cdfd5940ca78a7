"""The exports' read models in SQL: a course's participants (three statements whatever its
size) and a year's records per opintokokonaisuus (two statements, counts only)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import Engine, Select, and_, case, distinct, exists, func, select
from sqlalchemy.orm import Session

from consent.adapters.sql import participants
from consent.adapters.sql.status import course_results
from consent.adapters.sql.tables import (
    AuditRow,
    ConsentRow,
    CourseRow,
    ParticipantRow,
    ResultRow,
    SubmissionRow,
)
from consent.errors import UnknownCourse
from consent.export_views import LIVE, CourseExport, ExportRow, YearCount, YearSummary, year_bounds
from consent.model import ConsentState, SubmissionState
from consent.ports import PiiCipher
from consent.results import ResultStatus
from consent.views import FINNISH_TIME, NO_RESULT, shown

_BATCH = 500  # rows fetched at a time: a big course is never held twice in memory
INVALIDATED_ACTION = f"submission.{SubmissionState.INVALIDATED.value}"  # KOSKI confirmed it


class SqlExports:
    """What staff export: a course row by row, a year counted (:class:`consent.ports.Exports`)."""

    def __init__(self, engine: Engine, cipher: PiiCipher) -> None:
        self._engine = engine
        self._cipher = cipher

    def course_export(self, code: str, *, full_hetu: bool) -> CourseExport:
        """Every participant of the course (its results, then the consents with no result
        yet), masked unless ``full_hetu``. :class:`UnknownCourse` if there is none."""
        with Session(self._engine) as session:
            course = session.execute(
                select(CourseRow).where(CourseRow.code == code)
            ).scalar_one_or_none()
            if course is None:
                raise UnknownCourse(code)
            results = session.execute(
                course_results(code, course.id).execution_options(yield_per=_BATCH)
            )
            rows = [
                self._result_row(*row, end_date=course.end_date, full_hetu=full_hetu)
                for row in results
            ]
            waiting = session.execute(
                _unassessed(code, course.id).execution_options(yield_per=_BATCH)
            )
            rows += [self._consent_row(*row, full_hetu) for row in waiting]
        return CourseExport(course.code, course.name_fi, full_hetu, rows)

    def _result_row(
        self,
        result: ResultRow,
        person: ParticipantRow,
        consent: ConsentRow | None,
        sub: SubmissionRow | None,
        *,
        end_date: dt.date,
        full_hetu: bool,
    ) -> ExportRow:
        keys = () if sub is None or not sub.last_error_keys else tuple(sub.last_error_keys)
        return ExportRow(
            participant=shown(participants.person(self._cipher, person), asked_for=full_hetu),
            consent_state=None if consent is None else ConsentState(consent.state),
            signer_relation=None if consent is None else consent.signer_relation,
            signed_at=None if consent is None else consent.signed_at,
            grade=result.grade or None,
            result_status=ResultStatus(result.status),
            graded_on=result.graded_on,
            ended_on=result.ended_on or end_date,
            binding=result.binding,
            koski_state=None if sub is None else SubmissionState(sub.state),
            oid=None if sub is None else sub.oid,
            versionumero=None if sub is None else sub.versionumero,
            sent_at=None if sub is None else sub.sent_at,
            error_keys=tuple(str(key) for key in keys),
            error_message=None if sub is None else sub.last_error_message,
        )

    def _consent_row(self, consent: ConsentRow, person: ParticipantRow, full: bool) -> ExportRow:
        """A consent whose participant has no result yet."""
        return ExportRow(
            participant=shown(participants.person(self._cipher, person), asked_for=full),
            consent_state=ConsentState(consent.state),
            signer_relation=consent.signer_relation,
            signed_at=consent.signed_at,
            grade=None,
            result_status=None,
            graded_on=None,
            ended_on=None,
            binding=NO_RESULT,
            koski_state=None,
            oid=None,
            versionumero=None,
            sent_at=None,
        )

    def year_summary(self, year: int) -> YearSummary:
        """Per opintokokonaisuus: the year's records KOSKI holds now (a record is of the
        year its participant's end date falls in), how many of them are keskeytynyt, and
        how many records KOSKI invalidated during the year (Finnish time)."""
        with Session(self._engine) as session:
            live = {code: (sent, cut) for code, sent, cut in session.execute(_live(year))}
            invalidated = Counter(dict(session.execute(_invalidated(year)).all()))
        codes = sorted(set(live) | set(invalidated))
        counts = [
            YearCount(code, *live.get(code, (0, 0)), invalidated=invalidated[code])
            for code in codes
        ]
        return YearSummary(year, counts)


def _unassessed(code: str, course_id: int) -> Select[ConsentRow, ParticipantRow]:
    """The course's consents, oldest first, whose participant has no result on it yet."""
    result = select(ResultRow.id).where(
        (ResultRow.course_id == course_id) & (ResultRow.participant_id == ConsentRow.participant_id)
    )
    return (
        select(ConsentRow, ParticipantRow)
        .join(ParticipantRow, ParticipantRow.id == ConsentRow.participant_id)
        .where((ConsentRow.course_code == code) & ~exists(result))
        .order_by(ConsentRow.id)
    )


def _live(year: int) -> Select[str, int, int]:
    """Per opintokokonaisuus, the records of ``year`` KOSKI holds now, and the keskeytynyt."""
    first, after = year_bounds(year)
    day = func.coalesce(ResultRow.ended_on, CourseRow.end_date)
    cut = func.sum(case((ResultRow.status == ResultStatus.INTERRUPTED.value, 1), else_=0))
    return (
        select(CourseRow.opintokokonaisuus, func.count(SubmissionRow.id), cut)
        .join(ResultRow, ResultRow.course_id == CourseRow.id)
        .join(SubmissionRow, SubmissionRow.result_id == ResultRow.id)
        .where(
            SubmissionRow.state.in_([state.value for state in LIVE]),
            SubmissionRow.oid.is_not(None),
            and_(day >= first, day < after),
        )
        .group_by(CourseRow.opintokokonaisuus)
    )


def _invalidated(year: int) -> Select[str, int]:
    """Per opintokokonaisuus, the records KOSKI invalidated during ``year``, each counted
    once however often it was invalidated (the audit trail keeps every invalidation)."""
    first, after = (dt.datetime(y, 1, 1, tzinfo=FINNISH_TIME) for y in (year, year + 1))
    return (
        select(CourseRow.opintokokonaisuus, func.count(distinct(AuditRow.subject_id)))
        .select_from(AuditRow)
        .join(SubmissionRow, SubmissionRow.id == AuditRow.subject_id)
        .join(ResultRow, ResultRow.id == SubmissionRow.result_id)
        .join(CourseRow, CourseRow.id == ResultRow.course_id)
        .where(
            AuditRow.action == INVALIDATED_ACTION,
            AuditRow.subject_type == "submission",
            AuditRow.occurred_at >= first,
            AuditRow.occurred_at < after,
        )
        .group_by(CourseRow.opintokokonaisuus)
    )
