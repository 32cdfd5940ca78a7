"""The SQL ledger: the source of truth, with personal data sealed at rest."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from consent.adapters.sql import purposes
from consent.adapters.sql.binding import SqlBindingTransaction, SqlDeliveryBatch
from consent.adapters.sql.driver_insert import DriverInsert, uses_psycopg
from consent.adapters.sql.tables import ConsentRow, InboxRow, SubmissionRow
from consent.adapters.sql.upsert import insert_new
from consent.model import InboxDelivery, InboxReceipt, InboxState
from consent.ports import Clock, PiiCipher

_INBOX_KEYS: Final = ("source", "webhook_id")  # a delivery is stored once per these


def utc_now() -> dt.datetime:
    """The current time in UTC; the production clock."""
    return dt.datetime.now(dt.UTC)


class SqlLedger:
    """The webhook inbox and consent binding: stores and finds deliveries, lists those still
    waiting, opens the binding transaction, and counts rows by state for the metrics."""

    def __init__(self, engine: Engine, cipher: PiiCipher, clock: Clock = utc_now) -> None:
        self._engine = engine
        # One statement, committed on its own: no BEGIN and COMMIT round trips around it.
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._driver_insert = (
            DriverInsert(engine, InboxRow, _INBOX_KEYS) if uses_psycopg(engine) else None
        )
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._cipher = cipher
        self._clock = clock

    def store_delivery(self, delivery: InboxDelivery) -> InboxReceipt:
        """Commit a webhook delivery once per (source, webhook-id); repeats change nothing."""
        sealed = self._cipher.seal_bytes(delivery.body, purposes.INBOX_BODY)
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
        try:
            return self._insert_delivery(values)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            # A pooled connection had died (a database restart; the intake's pool does not
            # ping): SQLAlchemy has renewed the pool, so once more. Safe to repeat: a row the
            # first try did store is found as a duplicate, and the sweeper queues its binding.
            return self._insert_delivery(values)

    def _insert_delivery(self, values: dict[str, object]) -> InboxReceipt:
        # A single autocommitted INSERT … ON CONFLICT DO NOTHING, not the ORM: this runs on
        # every webhook request, and a session or a transaction block costs more. On
        # PostgreSQL it runs on psycopg itself (consent.adapters.sql.driver_insert), where
        # Core's execution alone cost as much CPU as the driver's work and the round trip.
        if self._driver_insert is not None:
            inserted = self._driver_insert(values)
            if inserted is not None:
                return InboxReceipt(inserted, duplicate=False)
        with self._autocommit.connect() as connection:
            if self._driver_insert is None:
                inserted = insert_new(connection, InboxRow, values, list(_INBOX_KEYS))
                if inserted is not None:
                    return InboxReceipt(inserted, duplicate=False)
            query = select(InboxRow.id).where(
                InboxRow.source == values["source"], InboxRow.webhook_id == values["webhook_id"]
            )
            return InboxReceipt(connection.execute(query).scalar_one(), duplicate=True)

    def find_delivery(self, source: str, webhook_id: str) -> int | None:
        """The inbox id of a delivery stored before, or None."""
        query = select(InboxRow.id).where(
            InboxRow.source == source, InboxRow.webhook_id == webhook_id
        )
        with self._engine.connect() as connection:
            found: int | None = connection.execute(query).scalar_one_or_none()
            return found

    def pending_deliveries(self, received_before: dt.datetime, limit: int = 500) -> list[int]:
        """Ids of deliveries still waiting to be bound, received before the given time."""
        query = (
            select(InboxRow.id)
            .where(
                InboxRow.state == InboxState.RECEIVED.value, InboxRow.received_at < received_before
            )
            .order_by(InboxRow.id)
            .limit(limit)
        )
        with self._sessions() as session:
            return list(session.execute(query).scalars())

    def state_counts(self) -> dict[str, dict[str, int]]:
        """Rows by state in the inbox, consents and submissions (for metrics)."""
        counts: dict[str, dict[str, int]] = {}
        tables = (
            ("inbox", InboxRow.state),
            ("consents", ConsentRow.state),
            ("submissions", SubmissionRow.state),
        )
        with self._engine.connect() as connection:
            for name, column in tables:
                rows = connection.execute(select(column, func.count()).group_by(column))
                counts[name] = {str(state): int(total) for state, total in rows}
        return counts

    @contextmanager
    def binding(self) -> Iterator[SqlBindingTransaction]:
        """One transaction for binding a delivery; commits on a clean exit."""
        with self._sessions.begin() as session:
            yield SqlBindingTransaction(session, self._cipher, self._clock)

    @contextmanager
    def batch(self) -> Iterator[SqlDeliveryBatch]:
        """One transaction for a batch of deliveries (a savepoint each); commits on a clean
        exit."""
        with self._sessions.begin() as session:
            yield SqlDeliveryBatch(session, self._cipher, self._clock)
