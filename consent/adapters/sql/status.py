"""The status read model in SQL: a course's participants as typed rows, from one query set."""

from __future__ import annotations

from sqlalchemy import Engine, Select, select
from sqlalchemy.orm import Session

from consent.adapters.sql import participants, purposes
from consent.adapters.sql.tables import (
    ConsentRow,
    CourseRow,
    ParticipantRow,
    ResultRow,
    SubmissionRow,
)
from consent.errors import UnknownCourse
from consent.hetu import Hetu
from consent.model import ConsentState, SubmissionState
from consent.ports import PiiCipher
from consent.results import ResultStatus
from consent.views import (
    ConsentSummary,
    ParticipantStatus,
    ResultSummary,
    SubmissionSummary,
    shown,
)


class SqlStatus:
    """What staff read about a course: two statements whatever its size (the course, then
    its results joined with their participant, consent and submission)."""

    def __init__(self, engine: Engine, cipher: PiiCipher) -> None:
        self._engine = engine
        self._cipher = cipher

    def course_status(self, code: str, hetu: Hetu | None = None) -> list[ParticipantStatus]:
        """Per participant: consent, result, binding, submission; masked unless one is asked
        for by ``hetu``. :class:`UnknownCourse` if there is no such course."""
        with Session(self._engine) as session:
            course_id = session.execute(
                select(CourseRow.id).where(CourseRow.code == code)
            ).scalar_one_or_none()
            if course_id is None:
                raise UnknownCourse(code)
            query = self._query(code, course_id, hetu)
            found = session.execute(query)
            return [self._row(*row, asked_for=hetu is not None) for row in found]

    def _query(
        self, code: str, course_id: int, hetu: Hetu | None
    ) -> Select[ResultRow, ParticipantRow, ConsentRow, SubmissionRow]:
        """The course's results, oldest first, each with its participant, consent (of this
        course and participant) and submission, either None when missing (outer joins);
        only ``hetu``'s, if given."""
        query = (
            select(ResultRow, ParticipantRow, ConsentRow, SubmissionRow)
            .join(ParticipantRow, ParticipantRow.id == ResultRow.participant_id)
            .outerjoin(
                ConsentRow,
                (ConsentRow.course_code == code)
                & (ConsentRow.participant_id == ResultRow.participant_id),
            )
            .outerjoin(SubmissionRow, SubmissionRow.result_id == ResultRow.id)
            .where(ResultRow.course_id == course_id)
            .order_by(ResultRow.id)
        )
        if hetu is None:
            return query
        indexes = self._cipher.blind_indexes(hetu.reveal(), purposes.HETU)
        return query.where(ParticipantRow.hetu_index.in_(indexes))

    def _row(
        self,
        result: ResultRow,
        person: ParticipantRow,
        consent: ConsentRow | None,
        sub: SubmissionRow | None,
        *,
        asked_for: bool,
    ) -> ParticipantStatus:
        return ParticipantStatus(
            result_id=result.id,
            participant=shown(participants.person(self._cipher, person), asked_for=asked_for),
            consent=None if consent is None else _consent(consent),
            result=ResultSummary(
                result.grade or None, result.graded_on, ResultStatus(result.status)
            ),
            binding=result.binding,
            submission=None if sub is None else _submission(sub),
        )


def _consent(row: ConsentRow) -> ConsentSummary:
    return ConsentSummary(row.id, ConsentState(row.state), row.reason, row.signer_relation)


def _submission(row: SubmissionRow) -> SubmissionSummary:
    keys = row.last_error_keys
    return SubmissionSummary(
        id=row.id,
        state=SubmissionState(row.state),
        oid=row.oid,
        versionumero=row.versionumero,
        attempts=row.attempts,
        last_status=row.last_status,
        last_error_keys=None if keys is None else tuple(str(k) for k in keys),
        last_error_message=row.last_error_message,
        attention=row.attention,
    )
