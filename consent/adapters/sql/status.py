"""The status read model in SQL: a course's participants as typed rows, from one query set."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import ColumnElement, Engine, Row, Select, exists, select, true
from sqlalchemy.orm import Session

from consent.adapters.sql import participants, purposes
from consent.adapters.sql.tables import (
    ConsentRow,
    CourseRow,
    ParticipantRow,
    ResultRow,
    SubmissionRow,
)
from consent.duplicates import LiveRecord, RecordKey, colliding
from consent.errors import UnknownCourse
from consent.hetu import Hetu
from consent.koski_answers import DUPLICATE
from consent.model import ConsentState, Person, SubmissionState
from consent.ports import PiiCipher
from consent.record_rules import participant_end
from consent.results import ResultStatus
from consent.submissions import STOPPED
from consent.views import (
    NO_RESULT,
    ConsentSummary,
    ParticipantStatus,
    ResultSummary,
    SubmissionSummary,
    UnknownCourseConsent,
    shown,
    signed_after_end,
)


class SqlStatus:
    """What staff read about a course: three statements whatever its size (the course, its
    results joined with their participant, consent and submission, then the consents that
    have no result yet), and one more when KOSKI refused a record as a duplicate (the
    person's other records); the live records KOSKI's duplicate rule compares."""

    def __init__(self, engine: Engine, cipher: PiiCipher) -> None:
        self._engine = engine
        self._cipher = cipher

    def course_status(self, code: str, hetu: Hetu | None = None) -> list[ParticipantStatus]:
        """Per participant: consent, result, binding, submission; masked unless one is asked
        for by ``hetu``. The results come first, then the consents with no result yet.
        :class:`UnknownCourse` if there is no such course."""
        with Session(self._engine) as session:
            course = session.execute(
                select(CourseRow).where(CourseRow.code == code)
            ).scalar_one_or_none()
            if course is None:
                raise UnknownCourse(code)
            asked_for, end_date = hetu is not None, course.end_date
            found = list(session.execute(self._query(code, course.id, hetu)))
            rows = [self._row(*row, end_date, asked_for=asked_for) for row in found]
            waiting = session.execute(self._unassessed(code, course.id, hetu))
            shown = [self._unassessed_row(*row, end_date, asked_for) for row in waiting]
        return self._collisions(course, found, rows) + shown

    def _collisions(
        self,
        course: CourseRow,
        found: list[Row[ResultRow, ParticipantRow, ConsentRow, SubmissionRow]],
        rows: list[ParticipantStatus],
    ) -> list[ParticipantStatus]:
        """``rows``, each one KOSKI refused as a duplicate naming the course whose record of
        the same person it collides with (one more statement, only when there is one)."""
        refused = [
            (n, result, person)
            for n, (result, person, _, sub) in enumerate(found)
            if sub is not None and DUPLICATE in (sub.last_error_keys or ())
        ]
        if not refused:
            return rows
        opened = {n: participants.person(self._cipher, person) for n, _, person in refused}
        # People are matched by hetu; one without a hetu is only refused, with no course named.
        people = {n: who.hetu for n, who in opened.items() if isinstance(who, Person)}
        held = self.live_records(
            list(people.values()), course.oppilaitos_oid, course.opintokokonaisuus
        )
        for n, result, _ in refused:
            if n not in people:
                continue
            day = participant_end(course.end_date, result.ended_on)
            key = RecordKey(course.oppilaitos_oid, course.opintokokonaisuus, day)
            other = colliding(key, held.get(people[n], ()), course.code)
            rows[n] = replace(rows[n], collides_with=other)
        return rows

    def live_records(
        self, hetus: Sequence[Hetu], oppilaitos_oid: str, opintokokonaisuus: str
    ) -> dict[Hetu, list[LiveRecord]]:
        """By person, their records of this oppilaitos and opintokokonaisuus KOSKI holds (an
        oid, not stopped): a statement per thousand people."""
        found: dict[Hetu, list[LiveRecord]] = {}
        with Session(self._engine) as session:
            for start in range(0, len(hetus), _CHUNK):
                by_index = self._indexes(hetus[start : start + _CHUNK])
                query = _live_query(list(by_index), oppilaitos_oid, opintokokonaisuus)
                for index, code, end_date, ended_on in session.execute(query):
                    assert index is not None  # noqa: S101 - the query asks for these indexes
                    day = participant_end(end_date, ended_on)
                    record = LiveRecord(code, RecordKey(oppilaitos_oid, opintokokonaisuus, day))
                    found.setdefault(by_index[index], []).append(record)
        return found

    def _indexes(self, hetus: Sequence[Hetu]) -> dict[str, Hetu]:
        """Each blind index a person may be stored under (one per key), and whose it is."""
        return {
            index: hetu
            for hetu in hetus
            for index in self._cipher.blind_indexes(hetu.reveal(), purposes.HETU)
        }

    def unknown_course_consents(self) -> list[UnknownCourseConsent]:
        """Every consent whose course code no course has, by code then oldest first, masked:
        one statement."""
        course = select(CourseRow.id).where(CourseRow.code == ConsentRow.course_code)
        query = (
            select(ConsentRow, ParticipantRow)
            .join(ParticipantRow, ParticipantRow.id == ConsentRow.participant_id)
            .where(~exists(course))
            .order_by(ConsentRow.course_code, ConsentRow.id)
        )
        with Session(self._engine) as session:
            return [self._unknown_course(*row) for row in session.execute(query)]

    def _unknown_course(self, consent: ConsentRow, person: ParticipantRow) -> UnknownCourseConsent:
        return UnknownCourseConsent(
            consent_id=consent.id,
            course_code=consent.course_code,
            participant=shown(participants.person(self._cipher, person)),
            state=ConsentState(consent.state),
            signer_relation=consent.signer_relation,
            signed_at=consent.signed_at,
            received_at=consent.created_at,
        )

    def _query(
        self, code: str, course_id: int, hetu: Hetu | None
    ) -> Select[ResultRow, ParticipantRow, ConsentRow, SubmissionRow]:
        """:func:`course_results`, only ``hetu``'s if given."""
        return course_results(code, course_id).where(self._only(hetu))

    def _unassessed(
        self, code: str, course_id: int, hetu: Hetu | None
    ) -> Select[ConsentRow, ParticipantRow]:
        """The course's consents, oldest first, whose participant has no result on it yet."""
        result = select(ResultRow.id).where(
            (ResultRow.course_id == course_id)
            & (ResultRow.participant_id == ConsentRow.participant_id)
        )
        query = (
            select(ConsentRow, ParticipantRow)
            .join(ParticipantRow, ParticipantRow.id == ConsentRow.participant_id)
            .where((ConsentRow.course_code == code) & ~exists(result))
            .order_by(ConsentRow.id)
        )
        return query.where(self._only(hetu))

    def _only(self, hetu: Hetu | None) -> ColumnElement[bool]:
        """Every participant, or only ``hetu``'s if one is asked for."""
        if hetu is None:
            return true()
        indexes = self._cipher.blind_indexes(hetu.reveal(), purposes.HETU)
        return ParticipantRow.hetu_index.in_(indexes)

    def _row(
        self,
        result: ResultRow,
        person: ParticipantRow,
        consent: ConsentRow | None,
        sub: SubmissionRow | None,
        end_date: dt.date,
        *,
        asked_for: bool,
    ) -> ParticipantStatus:
        return ParticipantStatus(
            result_id=result.id,
            participant=shown(participants.person(self._cipher, person), asked_for=asked_for),
            consent=None if consent is None else _consent(consent, end_date),
            result=ResultSummary(
                result.grade or None,
                result.graded_on,
                ResultStatus(result.status),
                result.ended_on,
            ),
            binding=result.binding,
            submission=None if sub is None else _submission(sub),
            participant_id=person.id,
        )

    def _unassessed_row(
        self, consent: ConsentRow, person: ParticipantRow, end_date: dt.date, asked_for: bool
    ) -> ParticipantStatus:
        """A consent whose participant has no result yet: a row for the trainer to assess."""
        return ParticipantStatus(
            result_id=None,
            participant=shown(participants.person(self._cipher, person), asked_for=asked_for),
            consent=_consent(consent, end_date),
            result=None,
            binding=NO_RESULT,
            submission=None,
            participant_id=person.id,
        )


_CHUNK = 1000  # people a statement asks for (a few thousand bound values at most)


def _live_query(
    indexes: list[str], oppilaitos_oid: str, opintokokonaisuus: str
) -> Select[str | None, str, dt.date, dt.date | None]:
    """The live records (an oid, not stopped) of the people under ``indexes``, of this
    oppilaitos and opintokokonaisuus: whose, the course, its end and the participant's own."""
    return (
        select(ParticipantRow.hetu_index, CourseRow.code, CourseRow.end_date, ResultRow.ended_on)
        .join(ResultRow, ResultRow.participant_id == ParticipantRow.id)
        .join(CourseRow, CourseRow.id == ResultRow.course_id)
        .join(SubmissionRow, SubmissionRow.result_id == ResultRow.id)
        .where(
            ParticipantRow.hetu_index.in_(indexes),
            CourseRow.oppilaitos_oid == oppilaitos_oid,
            CourseRow.opintokokonaisuus == opintokokonaisuus,
            SubmissionRow.oid.is_not(None),
            SubmissionRow.state.not_in([state.value for state in STOPPED]),
        )
        .order_by(ResultRow.id)
    )


def _consent(row: ConsentRow, end_date: dt.date) -> ConsentSummary:
    late = signed_after_end(row.signed_at, end_date)
    return ConsentSummary(
        row.id,
        ConsentState(row.state),
        row.reason,
        row.signer_relation,
        late,
        recorded_by_staff=row.recorded_by is not None,
    )


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


def course_results(
    code: str, course_id: int
) -> Select[ResultRow, ParticipantRow, ConsentRow, SubmissionRow]:
    """The course's results, oldest first, each with its participant, consent (of this
    course and participant) and submission, either None when missing (outer joins): what the
    course page and the course export read."""
    return (
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
