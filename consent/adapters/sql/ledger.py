"""The SQL ledger: the source of truth, with personal data sealed at rest."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from consent.adapters.sql.tables import AuditRow, InboxRow, ParticipantRow
from consent.hetu import Hetu
from consent.model import AuditEntry, InboxDelivery, InboxReceipt, InboxState, Person
from consent.ports import PiiCipher, Sealed

HETU_PURPOSE = "participant.hetu"
NAMES_PURPOSE = "participant.names"
INBOX_BODY_PURPOSE = "webhook_inbox.body"

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The current time in UTC; the production clock."""
    return dt.datetime.now(dt.UTC)


class SqlLedger:
    """Stores and finds ledger rows; the only code that turns rows into domain values."""

    def __init__(self, engine: Engine, cipher: PiiCipher, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._cipher = cipher
        self._clock = clock

    def store_delivery(self, delivery: InboxDelivery) -> InboxReceipt:
        """Commit a webhook delivery once per (source, webhook-id); repeats change nothing."""
        sealed = self._cipher.seal_bytes(delivery.body, INBOX_BODY_PURPOSE)
        values = {
            "source": delivery.source,
            "webhook_id": delivery.webhook_id,
            "webhook_timestamp": delivery.timestamp,
            "signature": delivery.signature,
            "key_id": delivery.key_id,
            "event_type": delivery.event_type,
            "body_key_id": sealed.key_id,
            "body_sealed": sealed.blob,
            "body_sha256": hashlib.sha256(delivery.body).hexdigest(),
            "received_at": delivery.received_at,
            "state": InboxState.RECEIVED.value,
            "attempts": 0,
        }
        with self._sessions.begin() as session:
            inserted = self._insert_new(session, InboxRow, values, ["source", "webhook_id"])
            if inserted is not None:
                return InboxReceipt(inserted, duplicate=False)
            existing = session.execute(
                select(InboxRow.id).where(
                    InboxRow.source == delivery.source, InboxRow.webhook_id == delivery.webhook_id
                )
            ).scalar_one()
            return InboxReceipt(existing, duplicate=True)

    def delivery_body(self, inbox_id: int) -> bytes:
        """The raw signed body of a stored delivery, opened from its sealed form."""
        with self._sessions() as session:
            row = session.get_one(InboxRow, inbox_id)
            sealed = Sealed(row.body_key_id, row.body_sealed)
        return self._cipher.open_bytes(sealed, INBOX_BODY_PURPOSE)

    def find_participant(self, hetu: Hetu) -> int | None:
        """The id of the participant with this hetu, under any configured key."""
        indexes = self._cipher.blind_indexes(hetu.reveal(), HETU_PURPOSE)
        with self._sessions() as session:
            return session.execute(
                select(ParticipantRow.id).where(ParticipantRow.hetu_index.in_(indexes))
            ).scalar_one_or_none()

    def save_participant(self, person: Person) -> int:
        """Create the participant or refresh their names; return the row id."""
        now = self._clock()
        names = self._seal_names(person)
        with self._sessions.begin() as session:
            existing = self._participant_row(session, person.hetu)
            if existing is not None:
                existing.names_key_id, existing.names_sealed = names.key_id, names.blob
                existing.updated_at = now
                return existing.id
            hetu = self._cipher.seal(person.hetu.reveal(), HETU_PURPOSE)
            values = {
                "hetu_index": self._cipher.blind_index(person.hetu.reveal(), HETU_PURPOSE),
                "hetu_key_id": hetu.key_id,
                "hetu_sealed": hetu.blob,
                "names_key_id": names.key_id,
                "names_sealed": names.blob,
                "created_at": now,
                "updated_at": now,
            }
            inserted = self._insert_new(session, ParticipantRow, values, ["hetu_index"])
            if inserted is not None:
                return inserted
            raced = self._participant_row(session, person.hetu)  # a concurrent insert won
            assert raced is not None  # noqa: S101 - the conflict proves the row exists
            return raced.id

    def participant(self, participant_id: int) -> Person:
        """The participant's identity, opened from its sealed form."""
        with self._sessions() as session:
            row = session.get_one(ParticipantRow, participant_id)
        hetu = Hetu(self._cipher.open(Sealed(row.hetu_key_id, row.hetu_sealed), HETU_PURPOSE))
        names = {"first_names": "", "last_name": ""}
        if row.names_key_id is not None and row.names_sealed is not None:
            sealed_names = Sealed(row.names_key_id, row.names_sealed)
            names = json.loads(self._cipher.open(sealed_names, NAMES_PURPOSE))
        return Person(hetu, names["first_names"], names["last_name"])

    def append_audit(self, entry: AuditEntry) -> None:
        """Add one line to the append-only audit trail."""
        with self._sessions.begin() as session:
            session.add(self._audit_row(entry))

    def audit_trail(self, subject_type: str, subject_id: int) -> list[AuditEntry]:
        """Every audit line about one subject, oldest first."""
        query = (
            select(AuditRow)
            .where(AuditRow.subject_type == subject_type, AuditRow.subject_id == subject_id)
            .order_by(AuditRow.id)
        )
        with self._sessions() as session:
            rows = session.execute(query).scalars().all()
        return [
            AuditEntry(
                r.actor, r.action, r.subject_type, r.subject_id, r.details or {}, r.occurred_at
            )
            for r in rows
        ]

    def _audit_row(self, entry: AuditEntry) -> AuditRow:
        return AuditRow(
            occurred_at=entry.occurred_at or self._clock(),
            actor=entry.actor,
            action=entry.action,
            subject_type=entry.subject_type,
            subject_id=entry.subject_id,
            details=entry.details or None,
        )

    def _participant_row(self, session: Session, hetu: Hetu) -> ParticipantRow | None:
        indexes = self._cipher.blind_indexes(hetu.reveal(), HETU_PURPOSE)
        query = select(ParticipantRow).where(ParticipantRow.hetu_index.in_(indexes))
        return session.execute(query).scalars().first()

    def _seal_names(self, person: Person) -> Sealed:
        names = {"first_names": person.first_names, "last_name": person.last_name}
        return self._cipher.seal(json.dumps(names, ensure_ascii=False), NAMES_PURPOSE)

    def _insert_new(
        self,
        session: Session,
        table: type[InboxRow] | type[ParticipantRow],
        values: dict[str, object],
        keys: list[str],
    ) -> int | None:
        """INSERT … ON CONFLICT DO NOTHING; the new row's id, or None if ``keys`` existed."""
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(table).values(values)
        statement = statement.on_conflict_do_nothing(index_elements=keys)
        inserted: int | None = session.execute(statement.returning(table.id)).scalar_one_or_none()
        return inserted
