"""The binding transaction: a stored delivery becomes a consent, all in one commit; and a
batch of them in one transaction, each in a savepoint of its own."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from functools import cache

from sqlalchemy import Select, bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from consent.adapters.sql import participants, purposes
from consent.adapters.sql.audit import audit_row
from consent.adapters.sql.batch_binding import SqlBatchBinding, consent_record
from consent.adapters.sql.tables import ConsentRow, InboxRow, ResultRow, SubmissionRow
from consent.errors import LedgerContention
from consent.model import (
    AuditEntry,
    ConsentRecord,
    InboxState,
    Person,
    SubmissionState,
)
from consent.ports import Clock, PiiCipher, Sealed

_REACHED_KOSKI = (SubmissionState.SENT.value, SubmissionState.IN_FLIGHT.value)


class SqlBindingTransaction:
    """:class:`consent.ports.BindingTransaction` over one SQLAlchemy session."""

    def __init__(self, session: Session, cipher: PiiCipher, clock: Clock) -> None:
        self._session = session
        self._cipher = cipher
        self._clock = clock

    def claim_delivery(self, inbox_id: int) -> bytes | None:
        """Take the row lock by updating first, so concurrent jobs for one delivery serialise."""
        claimed = self._session.execute(
            update(InboxRow)
            .where(InboxRow.id == inbox_id, InboxRow.state == InboxState.RECEIVED.value)
            .values(attempts=InboxRow.attempts + 1)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult of an UPDATE
            return None
        row = self._session.get_one(InboxRow, inbox_id)
        return self._cipher.open_bytes(
            Sealed(row.body_key_id, row.body_sealed), purposes.INBOX_BODY
        )

    def save_participant(self, person: Person) -> int:
        return participants.save(self._session, self._cipher, person, self._clock())

    def consent_for(self, course_code: str, participant_id: int) -> ConsentRecord | None:
        query = (
            select(ConsentRow)
            .where(
                ConsentRow.course_code == course_code, ConsentRow.participant_id == participant_id
            )
            .with_for_update()
        )
        row = self._session.execute(query).scalar_one_or_none()
        return None if row is None else self._record(row)

    def any_sent(self, consent_id: int) -> bool:
        query = (
            select(SubmissionRow.id)
            .join(ResultRow, ResultRow.id == SubmissionRow.result_id)
            .where(ResultRow.consent_id == consent_id)
            .where(or_(SubmissionRow.state.in_(_REACHED_KOSKI), SubmissionRow.oid.is_not(None)))
            .limit(1)
        )
        return self._session.execute(query).first() is not None

    def save_consent(self, record: ConsentRecord) -> int:
        now = self._clock()
        row = (
            ConsentRow(created_at=now)
            if record.id is None
            else self._session.get_one(ConsentRow, record.id)
        )
        row.course_code, row.participant_id = record.course_code, record.participant_id
        row.state, row.reason = record.state.value, record.reason
        row.document_id, row.signed_at = record.document_id, record.signed_at
        row.signer_relation, row.inbox_id, row.event_at = (
            record.signer_relation,
            record.inbox_id,
            record.event_at,
        )
        if record.signer is not None or row.signer_index is not None or record.id is None:
            # else the consent's signer is a guardian staff recorded by name only: kept
            row.signer_index, row.signer_key_id, row.signer_sealed = self._sealed_signer(
                record.signer
            )
        row.updated_at = now
        self._session.add(row)
        self._session.flush()
        return row.id

    def finish_delivery(self, inbox_id: int, state: InboxState, outcome: str) -> None:
        row = self._session.get_one(InboxRow, inbox_id)
        row.state, row.outcome, row.processed_at = state.value, outcome[:64], self._clock()

    def audit(self, entry: AuditEntry) -> None:
        self._session.add(audit_row(entry, self._clock))

    def _sealed_signer(self, signer: Person | None) -> tuple[str | None, str | None, bytes | None]:
        if signer is None:
            return None, None, None
        identity = {
            "hetu": signer.hetu.reveal(),
            "first_names": signer.first_names,
            "last_name": signer.last_name,
        }
        sealed = self._cipher.seal(json.dumps(identity, ensure_ascii=False), purposes.SIGNER)
        index = self._cipher.blind_index(signer.hetu.reveal(), purposes.HETU)
        return index, sealed.key_id, sealed.blob

    def _record(self, row: ConsentRow) -> ConsentRecord:
        return consent_record(self._cipher, row)


class SqlDeliveryBatch:
    """:class:`consent.ports.DeliveryBatch` over one SQLAlchemy session."""

    def __init__(self, session: Session, cipher: PiiCipher, clock: Clock) -> None:
        self._session = session
        self._cipher = cipher
        self._clock = clock

    def claim_waiting(self, limit: int, skip: Collection[int]) -> list[int]:
        """``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so drains side by side take turns row
        by row; SQLite has no row locks (and one writer at a time), and ignores it."""
        waiting = self._session.connection().execute(
            _waiting(limit, bool(skip)), {"b_skip": list(skip)} if skip else {}
        )
        return list(waiting.scalars())

    @contextmanager
    def delivery(self) -> Iterator[SqlBindingTransaction]:
        """A savepoint; a lock, deadlock, concurrent insert or lost connection inside it comes
        out as :class:`consent.errors.LedgerContention` (tried again, never held against the
        delivery), any other error as itself."""
        try:
            with self._session.begin_nested():
                yield SqlBindingTransaction(self._session, self._cipher, self._clock)
        except (OperationalError, IntegrityError) as error:
            raise LedgerContention(type(error.orig).__name__) from error

    @contextmanager
    def together(self, inbox_ids: Sequence[int]) -> Iterator[SqlBatchBinding]:
        """A savepoint for the whole batch, its deliveries' outcomes and audit rows written
        as it ends; any error inside undoes all of it."""
        with self._session.begin_nested():
            together = SqlBatchBinding(
                self._session.connection(), self._cipher, self._clock, inbox_ids
            )
            yield together
            together.flush()

    def count_failure(self, inbox_id: int) -> int:
        self._session.execute(
            update(InboxRow).where(InboxRow.id == inbox_id).values(attempts=InboxRow.attempts + 1)
        )
        query = select(InboxRow.attempts).where(InboxRow.id == inbox_id)
        attempts: int = self._session.execute(query).scalar_one()
        return attempts


@cache
def _waiting(limit: int, skipping: bool) -> Select[int]:
    """The claim of up to ``limit`` waiting deliveries, oldest first (passing over the ids
    of a parameter if ``skipping``), built once for each."""
    query = (
        select(InboxRow.id)
        .where(InboxRow.state == InboxState.RECEIVED.value)
        .order_by(InboxRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if skipping:
        query = query.where(InboxRow.id.not_in(bindparam("b_skip", expanding=True)))
    return query
