"""The signed consent forms (PDFs kept sealed) in SQL, found by the consent they belong to.

The one place that knows where a consent's PDF is kept: today the signing connector's
enrolment of the same course and participant holds the form Visma Sign returned signed.
A form kept another way (a scanned paper consent) is added here, and every page, API call
and command that serves a consent's PDF serves it too.
"""

from __future__ import annotations

from typing import TypeVarTuple

from sqlalchemy import Engine, Select, select
from sqlalchemy.orm import Session

from consent.adapters.sql import purposes
from consent.adapters.sql.tables import ConsentRow, EnrolmentRow
from consent.export_views import SignedForm
from consent.ports import PiiCipher, Sealed

Ts = TypeVarTuple("Ts")


class SqlSignedForms:
    """Each consent's signed form (:class:`consent.ports.SignedForms`)."""

    def __init__(self, engine: Engine, cipher: PiiCipher) -> None:
        self._engine = engine
        self._cipher = cipher

    def consent_form(self, consent_id: int) -> SignedForm | None:
        """The consent's signed PDF, opened, or None when none is kept (or no such consent)."""
        columns = select(
            ConsentRow.id, EnrolmentRow.id, EnrolmentRow.pdf_key_id, EnrolmentRow.pdf_sealed
        )
        query = _with_forms(columns).where(ConsentRow.id == consent_id).limit(1)
        with Session(self._engine) as session:
            found = session.execute(query).first()
        if found is None:
            return None
        _, enrolment_id, key_id, blob = found
        if key_id is None or blob is None:  # the query asks for both: never so
            return None
        pdf = self._cipher.open_bytes(Sealed(key_id, blob), purposes.SIGNED_PDF)
        return SignedForm(consent_id, enrolment_id, pdf)

    def consents_with_forms(self, course_code: str) -> set[int]:
        """The ids of the course's consents that have a signed PDF kept: one statement."""
        query = _with_forms(select(ConsentRow.id)).where(ConsentRow.course_code == course_code)
        with Session(self._engine) as session:
            return set(session.execute(query).scalars())


def _with_forms(query: Select[*Ts]) -> Select[*Ts]:
    """``query`` over consents joined to the enrolment (same course, same participant) that
    kept a signed PDF."""
    return query.join(
        EnrolmentRow,
        (EnrolmentRow.course_code == ConsentRow.course_code)
        & (EnrolmentRow.participant_id == ConsentRow.participant_id),
    ).where(EnrolmentRow.pdf_key_id.is_not(None), EnrolmentRow.pdf_sealed.is_not(None))
