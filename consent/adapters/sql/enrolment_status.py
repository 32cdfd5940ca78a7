"""The signing read model in SQL: a course's enrolments as typed rows, from one statement.

Each enrolment is read joined with its participant, so a course of any size costs the same;
the sealed contact and signed form are never read, only whether a form is kept.
"""

from __future__ import annotations

from typing import TypeAlias

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from consent.adapters.sql import participants
from consent.adapters.sql.tables import EnrolmentRow, ParticipantRow
from consent.enrolment_views import EnrolmentStatus
from consent.enrolments import EnrolmentState
from consent.ports import PiiCipher
from consent.views import shown

# id, participant, guardian signs, state, signing link, outcome, event posted, form kept
_Row: TypeAlias = Row[int, ParticipantRow, bool, str, str | None, str | None, bool, bool]


def course_enrolments(
    session: Session, cipher: PiiCipher, course_code: str
) -> list[EnrolmentStatus]:
    """Where each of the course's participants' signing stands, masked, in enrolment order."""
    query = (
        select(
            EnrolmentRow.id,
            ParticipantRow,
            EnrolmentRow.signer_id != EnrolmentRow.participant_id,
            EnrolmentRow.state,
            EnrolmentRow.signing_url,
            EnrolmentRow.outcome_reason,
            EnrolmentRow.event_posted_at.is_not(None),
            EnrolmentRow.pdf_sealed.is_not(None),
        )
        .join(ParticipantRow, ParticipantRow.id == EnrolmentRow.participant_id)
        .where(EnrolmentRow.course_code == course_code)
        .order_by(EnrolmentRow.id)
    )
    return [_status(cipher, row) for row in session.execute(query)]


def _status(cipher: PiiCipher, row: _Row) -> EnrolmentStatus:
    enrolment_id, person, guardian_signs, state, url, reason, posted, pdf = row
    return EnrolmentStatus(
        enrolment_id=enrolment_id,
        participant=shown(participants.person(cipher, person)),
        guardian_signs=bool(guardian_signs),
        state=EnrolmentState(state),
        signing_url=url,
        outcome_reason=reason,
        event_posted=bool(posted),
        signed_pdf=bool(pdf),
    )
