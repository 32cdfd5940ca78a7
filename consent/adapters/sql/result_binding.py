"""The result-binding transaction: a result, its consent and its submission, read and stored
in one commit (what to store, :func:`consent.grading.bind_result` decides)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from consent.adapters.sql.courses import course_of
from consent.adapters.sql.graded import graded_of
from consent.adapters.sql.submissions import column_values
from consent.adapters.sql.tables import ConsentRow, CourseRow, ResultRow, SubmissionRow
from consent.errors import NotFound
from consent.model import ConsentState, SubmissionState
from consent.ports import Clock
from consent.results import ResultForBinding, ResultSubmission, ResultToBind
from consent.submissions import SubmissionChange


class SqlResultBinding:
    """:class:`consent.ports.ResultBindingTransaction` over one SQLAlchemy session."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def result_to_bind(self, result_id: int) -> ResultToBind:
        """The result, its consent and its submission in one query, its course in two;
        :class:`NotFound` for a result no longer held."""
        query = (
            select(ResultRow, CourseRow, ConsentRow, SubmissionRow)
            .join(CourseRow, CourseRow.id == ResultRow.course_id)
            .outerjoin(
                ConsentRow,
                (ConsentRow.course_code == CourseRow.code)
                & (ConsentRow.participant_id == ResultRow.participant_id),
            )
            .outerjoin(SubmissionRow, SubmissionRow.result_id == ResultRow.id)
            .where(ResultRow.id == result_id)
        )
        found = self._session.execute(query).one_or_none()
        if found is None:  # deleted since it was queued (the retention purge)
            raise NotFound(f"no result {result_id}")
        row, course, consent, submission = found
        result = ResultForBinding(
            result_id, row.participant_id, course_of(self._session, course), graded_of(row)
        )
        return ResultToBind(
            result,
            consent.id if consent else None,
            ConsentState(consent.state) if consent else None,
            None
            if submission is None
            else ResultSubmission(submission.id, SubmissionState(submission.state), submission.oid),
            self._clock().date(),
        )

    def save_binding(self, result_id: int, binding: str, consent_id: int | None) -> None:
        row = self._session.get_one(ResultRow, result_id)
        row.consent_id, row.binding, row.updated_at = consent_id, binding, self._clock()

    def add_submission(self, result_id: int, source_id: str, source_system: str) -> int:
        now = self._clock()
        submission = SubmissionRow(
            result_id=result_id,
            source_id=source_id,
            source_system=source_system,
            state=SubmissionState.PENDING.value,
            attempts=0,
            created_at=now,
            updated_at=now,
        )
        self._session.add(submission)
        self._session.flush()
        return submission.id

    def change_submission(self, submission_id: int, change: SubmissionChange) -> None:
        self._session.execute(
            update(SubmissionRow)
            .where(SubmissionRow.id == submission_id)
            .values(**column_values(change), updated_at=self._clock())
        )
