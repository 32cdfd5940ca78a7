"""The signed consent forms (PDFs kept sealed) in SQL, found by the consent they belong to.

The one place that knows where a consent's PDF is kept, so every page, API call and command
that serves one serves them all:

- a consent staff recorded from a paper form keeps its scanned PDF on its own row
  (``consents.pdf_sealed``, sealed for :data:`purposes.CONSENT_PDF`);
- a consent signed through the signing connector has it on the enrolment of the same course
  and participant (``enrolments.pdf_sealed``: the form Visma Sign returned signed).

The consent's own PDF comes first.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, Engine, and_, or_, select
from sqlalchemy.orm import Session

from consent.adapters.sql import purposes
from consent.adapters.sql.tables import ConsentRow, EnrolmentRow
from consent.export_views import SignedForm
from consent.ports import PiiCipher, Sealed


class SqlSignedForms:
    """Each consent's signed form (:class:`consent.ports.SignedForms`)."""

    def __init__(self, engine: Engine, cipher: PiiCipher) -> None:
        self._engine = engine
        self._cipher = cipher

    def consent_form(self, consent_id: int) -> SignedForm | None:
        """The consent's signed PDF, opened, or None when none is kept (or no such consent):
        one statement."""
        query = (
            select(
                ConsentRow.pdf_key_id,
                ConsentRow.pdf_sealed,
                EnrolmentRow.id,
                EnrolmentRow.pdf_key_id,
                EnrolmentRow.pdf_sealed,
            )
            .outerjoin(EnrolmentRow, _its_enrolment())
            .where(ConsentRow.id == consent_id)
            .order_by(EnrolmentRow.id)
            .limit(1)
        )
        with Session(self._engine) as session:
            found = session.execute(query).first()
        if found is None:
            return None
        own_key, own_blob, enrolment_id, key_id, blob = found
        if own_key is not None and own_blob is not None:
            pdf = self._cipher.open_bytes(Sealed(own_key, own_blob), purposes.CONSENT_PDF)
            return SignedForm(consent_id, None, pdf)
        if key_id is None or blob is None:
            return None
        pdf = self._cipher.open_bytes(Sealed(key_id, blob), purposes.SIGNED_PDF)
        return SignedForm(consent_id, enrolment_id, pdf)

    def consents_with_forms(self, course_code: str) -> set[int]:
        """The ids of the course's consents that have a signed PDF kept: one statement."""
        return self._having_forms(ConsentRow.course_code == course_code)

    def forms_among(self, consent_ids: Collection[int]) -> set[int]:
        """Which of these consents (one person's: a few) have a signed PDF kept."""
        if not consent_ids:
            return set()
        return self._having_forms(ConsentRow.id.in_(list(consent_ids)))

    def _having_forms(self, which: ColumnElement[bool]) -> set[int]:
        query = (
            select(ConsentRow.id)
            .outerjoin(EnrolmentRow, _its_enrolment())
            .where(which, or_(ConsentRow.pdf_sealed.is_not(None), EnrolmentRow.id.is_not(None)))
        )
        with Session(self._engine) as session:
            return set(session.execute(query).scalars())


def _its_enrolment() -> ColumnElement[bool]:
    """The consent's enrolment (same course, same participant), if it kept a signed PDF."""
    return and_(
        EnrolmentRow.course_code == ConsentRow.course_code,
        EnrolmentRow.participant_id == ConsentRow.participant_id,
        EnrolmentRow.pdf_key_id.is_not(None),
        EnrolmentRow.pdf_sealed.is_not(None),
    )
