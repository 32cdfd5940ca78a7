"""Consents staff record from a signed paper form: the binding transaction's steps, plus the
scanned form kept sealed on the consent row (``consents.pdf_sealed``, purpose
``consent.pdf``, beside who recorded it in ``consents.recorded_by``), where the signed-form
lookup (:mod:`consent.adapters.sql.signed_forms`) finds it first."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from consent.adapters.sql import participants, purposes
from consent.adapters.sql.binding import SqlBindingTransaction
from consent.adapters.sql.tables import ConsentRow, CourseRow, ResultRow
from consent.model import Participant
from consent.ports import Clock, PiiCipher


class SqlRecordingTransaction(SqlBindingTransaction):
    """:class:`consent.ports.RecordingTransaction` over one SQLAlchemy session."""

    def save_participant(self, person: Participant) -> int:
        """Create the participant, by hetu or by oid, or refresh their names."""
        return participants.save(self._session, self._cipher, person, self._clock())

    def keep_form(
        self, consent_id: int, pdf: bytes, recorded_by: str, signer_names: tuple[str, str] | None
    ) -> None:
        """Seal the form on the consent; a guardian known by name only becomes its signer,
        sealed as a signer is but with no hetu (and so no blind index)."""
        row = self._session.get_one(ConsentRow, consent_id)
        sealed = self._cipher.seal_bytes(pdf, purposes.CONSENT_PDF)
        row.pdf_key_id, row.pdf_sealed, row.recorded_by = sealed.key_id, sealed.blob, recorded_by
        if signer_names is None and row.signer_index is None:  # no signer with a hetu either:
            row.signer_key_id, row.signer_sealed = None, None  # none kept from an earlier form
        if signer_names is not None:
            names = {"first_names": signer_names[0], "last_name": signer_names[1]}
            signer = self._cipher.seal(json.dumps(names, ensure_ascii=False), purposes.SIGNER)
            row.signer_index, row.signer_key_id, row.signer_sealed = (
                None,
                signer.key_id,
                signer.blob,
            )

    def results_of(self, course_code: str, participant_id: int) -> list[int]:
        """The participant's results for the course."""
        query = (
            select(ResultRow.id)
            .join(CourseRow, CourseRow.id == ResultRow.course_id)
            .where(CourseRow.code == course_code, ResultRow.participant_id == participant_id)
        )
        return list(self._session.execute(query).scalars())


class SqlConsentRecords:
    """:class:`consent.ports.ConsentRecords` over an engine."""

    def __init__(self, engine: Engine, cipher: PiiCipher, clock: Clock) -> None:
        self._sessions = sessionmaker(engine)
        self._cipher = cipher
        self._clock = clock

    @contextmanager
    def recording(self) -> Iterator[SqlRecordingTransaction]:
        """One transaction; commits on a clean exit, rolls back on an exception."""
        with self._sessions.begin() as session:
            yield SqlRecordingTransaction(session, self._cipher, self._clock)
