"""Files held between the staff's preview and confirmation, sealed like all personal data.

The web pages show what an upload would change before anything changes; the file waits
here, encrypted, under a random id that only the uploader's confirmation names, with what it
is for (``results``, ``enrolments``): it is handed back only for that. Files not confirmed
within a day are dropped.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Final

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import sessionmaker

from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql import purposes
from consent.adapters.sql.tables import PendingImportRow
from consent.ports import Clock, Sealed

KEPT_FOR: Final = dt.timedelta(days=1)


class SqlPendingImports:
    """Holds, hands back once, and forgets uploaded results and enrolment files."""

    def __init__(self, engine: Engine, cipher: AesGcmCipher, clock: Clock) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._cipher = cipher
        self._clock = clock

    def hold(
        self, course_code: str, kind: str, content: bytes, by: str, purpose: str = "results"
    ) -> str:
        """Keep an upload for confirmation; its id."""
        sealed = self._cipher.seal_bytes(content, purposes.PENDING_IMPORT)
        upload_id = str(uuid.uuid4())
        with self._sessions.begin() as session:
            session.execute(
                delete(PendingImportRow).where(
                    PendingImportRow.uploaded_at < self._clock() - KEPT_FOR
                )
            )
            session.add(
                PendingImportRow(
                    id=upload_id,
                    course_code=course_code,
                    kind=kind,
                    purpose=purpose,
                    content_sealed=sealed.blob,
                    key_id=sealed.key_id,
                    uploaded_by=by,
                    uploaded_at=self._clock(),
                )
            )
        return upload_id

    def take(
        self, upload_id: str, course_code: str, by: str, purpose: str = "results"
    ) -> tuple[str, bytes] | None:
        """The upload's kind and content if ``by`` uploaded it for this course and purpose,
        and it is fresh.

        It stays held until :meth:`forget`, so a failed import can be confirmed again.
        """
        query = select(PendingImportRow).where(
            PendingImportRow.id == upload_id,
            PendingImportRow.course_code == course_code,
            PendingImportRow.uploaded_by == by,
            PendingImportRow.purpose == purpose,
            PendingImportRow.uploaded_at >= self._clock() - KEPT_FOR,
        )
        with self._sessions() as session:
            row = session.execute(query).scalar_one_or_none()
            if row is None:
                return None
            sealed = Sealed(row.key_id, row.content_sealed)
            return row.kind, self._cipher.open_bytes(sealed, purposes.PENDING_IMPORT)

    def forget(self, upload_id: str) -> None:
        """Drop an upload once it was imported or abandoned."""
        with self._sessions.begin() as session:
            session.execute(delete(PendingImportRow).where(PendingImportRow.id == upload_id))
