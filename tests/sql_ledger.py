"""The SQL ledger with the reads and writes that only tests make: a stored body opened, a
participant found, saved or opened by hand, and the audit trail of one subject."""

from __future__ import annotations

from sqlalchemy import select

from consent.adapters.sql import participants, purposes
from consent.adapters.sql.audit import audit_row
from consent.adapters.sql.ledger import SqlLedger
from consent.adapters.sql.tables import AuditRow, InboxRow
from consent.hetu import Hetu
from consent.model import AuditEntry, Person
from consent.ports import Sealed


class SqlLedgerForTests(SqlLedger):
    """:class:`SqlLedger` and what tests look at through it."""

    def delivery_body(self, inbox_id: int) -> bytes:
        """The raw signed body of a stored delivery, opened from its sealed form."""
        with self._sessions() as session:
            row = session.get_one(InboxRow, inbox_id)
            sealed = Sealed(row.body_key_id, row.body_sealed)
        return self._cipher.open_bytes(sealed, purposes.INBOX_BODY)

    def find_participant(self, hetu: Hetu) -> int | None:
        """The id of the participant with this hetu, under any configured key."""
        with self._sessions() as session:
            row = participants.find_row(session, self._cipher, hetu)
            return None if row is None else row.id

    def save_participant(self, person: Person) -> int:
        """Create the participant or refresh their names; the row id."""
        with self._sessions.begin() as session:
            return participants.save(session, self._cipher, person, self._clock())

    def participant(self, participant_id: int) -> Person:
        """The participant's identity, opened from its sealed form."""
        with self._sessions() as session:
            return participants.load_person(session, self._cipher, participant_id)

    def append_audit(self, entry: AuditEntry) -> None:
        """Add one line to the audit trail."""
        with self._sessions.begin() as session:
            session.add(audit_row(entry, self._clock))

    def audit_trail(self, subject_type: str, subject_id: int) -> list[AuditEntry]:
        """Every audit line about one subject, oldest first."""
        query = (
            select(AuditRow)
            .where(AuditRow.subject_type == subject_type, AuditRow.subject_id == subject_id)
            .order_by(AuditRow.id)
        )
        with self._sessions() as session:
            rows = session.execute(query).scalars().all()
        return [_entry(row) for row in rows]


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        row.actor, row.action, row.subject_type, row.subject_id, row.details or {}, row.occurred_at
    )
