"""A batch of deliveries bound together in one savepoint (:class:`SqlBatchBinding`): claimed
in one statement, their participants and consents looked up in a few for all of them, and
their outcomes and audit rows written in one each at the end. SQLAlchemy Core on the
session's connection throughout: no ORM object is built."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, bindparam, insert, or_, select, tuple_, update

from consent.adapters.sql import participants, purposes
from consent.adapters.sql.audit import audit_values
from consent.adapters.sql.tables import (
    AuditRow,
    ConsentRow,
    InboxRow,
    ResultRow,
    SubmissionRow,
)
from consent.hetu import Hetu
from consent.model import (
    AuditEntry,
    ConsentRecord,
    ConsentState,
    InboxState,
    Person,
    SubmissionState,
)
from consent.ports import Clock, PiiCipher, Sealed

_REACHED_KOSKI = (SubmissionState.SENT.value, SubmissionState.IN_FLIGHT.value)
_CONSENT_COLUMNS = (
    ConsentRow.id,
    ConsentRow.course_code,
    ConsentRow.participant_id,
    ConsentRow.state,
    ConsentRow.reason,
    ConsentRow.document_id,
    ConsentRow.signed_at,
    ConsentRow.signer_relation,
    ConsentRow.signer_index,
    ConsentRow.signer_key_id,
    ConsentRow.signer_sealed,
    ConsentRow.inbox_id,
    ConsentRow.event_at,
)
# Statements are built once, values as parameters: executing one builds nothing and finds
# its compiled form by a cache key already made.
_FINISH = (
    update(InboxRow)
    .where(InboxRow.id == bindparam("b_id"))
    .values(
        state=bindparam("b_state"), outcome=bindparam("b_outcome"), processed_at=bindparam("b_at")
    )
)
_CONSENTS = ConsentRow.metadata.tables["consents"]
# Columns as parameters: the statement sets those the parameters name.
_NEW_CONSENT = insert(_CONSENTS).returning(_CONSENTS.c.id)
_CONSENT_CHANGE = update(_CONSENTS).where(_CONSENTS.c.id == bindparam("b_id"))
_CLAIM = (
    update(InboxRow)
    .where(
        InboxRow.id.in_(bindparam("b_ids", expanding=True)),
        InboxRow.state == InboxState.RECEIVED.value,
    )
    .values(attempts=InboxRow.attempts + 1)
    .returning(InboxRow.id, InboxRow.body_key_id, InboxRow.body_sealed)
)
_CONSENTS_OF = (
    select(*_CONSENT_COLUMNS)
    .where(
        tuple_(ConsentRow.course_code, ConsentRow.participant_id).in_(
            bindparam("b_pairs", expanding=True)
        )
    )
    .with_for_update()
)
_SENT_UNDER = (
    select(ResultRow.consent_id)
    .join(SubmissionRow, SubmissionRow.result_id == ResultRow.id)
    .where(ResultRow.consent_id.in_(bindparam("b_ids", expanding=True)))
    .where(or_(SubmissionRow.state.in_(_REACHED_KOSKI), SubmissionRow.oid.is_not(None)))
    .distinct()
)


@dataclass(frozen=True)
class _Consent:
    """A consent as the batch knows it: its record, and whether a signer is indexed."""

    record: ConsentRecord
    signer_indexed: bool


class SqlBatchBinding:
    """:class:`consent.ports.BatchBinding` over one connection, inside the savepoint the
    batch opened. What the deliveries read is looked up ahead (:meth:`prepare`); a
    consent saved is written at once (the next delivery of its pair reads it, and its
    audit row names its id); the deliveries' outcomes and audit rows, which nothing in
    the batch reads back, are written together by :meth:`flush`."""

    def __init__(
        self, connection: Connection, cipher: PiiCipher, clock: Clock, inbox_ids: Sequence[int]
    ) -> None:
        self._connection = connection
        self._cipher = cipher
        self._clock = clock
        self._bodies = _claim(connection, inbox_ids)
        self._participants: dict[str, int] = {}  # a prepared person's hetu: their row id
        self._consents: dict[tuple[str, int], _Consent | None] = {}
        self._sent: dict[int, bool] = {}
        self._finished: list[dict[str, object]] = []
        self._audit: list[dict[str, object]] = []

    def claim_delivery(self, inbox_id: int) -> bytes | None:
        """The body claimed with the batch; None if the delivery was bound already."""
        sealed = self._bodies.get(inbox_id)
        return None if sealed is None else self._cipher.open_bytes(sealed, purposes.INBOX_BODY)

    def prepare(self, deliveries: Sequence[tuple[str, Person]]) -> None:
        """Save the participants (:func:`participants.save_all`: up to three statements
        however many), then look up their consents and whether anything under them was
        sent (two more)."""
        people = {person.hetu.reveal(): person for _, person in deliveries}
        if not people:
            return
        found, created = participants.save_all(
            self._connection, self._cipher, people, self._clock()
        )
        self._participants |= found | created
        pairs = {(code, self._participants[person.hetu.reveal()]) for code, person in deliveries}
        self._consents |= dict.fromkeys(pairs)
        self._look_up_consents([pair for pair in pairs if pair[1] in found.values()])

    def save_participant(self, person: Person) -> int:
        participant_id = self._participants.get(person.hetu.reveal())
        if participant_id is None:
            raise LookupError("a participant the batch did not prepare")
        return participant_id

    def consent_for(self, course_code: str, participant_id: int) -> ConsentRecord | None:
        pair = (course_code, participant_id)
        if pair not in self._consents:
            raise LookupError("a consent the batch did not prepare")
        known = self._consents[pair]
        return None if known is None else known.record

    def any_sent(self, consent_id: int) -> bool:
        sent = self._sent.get(consent_id)
        if sent is None:
            raise LookupError("a consent the batch did not look up")
        return sent

    def save_consent(self, record: ConsentRecord) -> int:
        now = self._clock()
        pair = (record.course_code, record.participant_id)
        known = self._consents.get(pair)
        values: dict[str, object] = {
            "course_code": record.course_code,
            "participant_id": record.participant_id,
            "state": record.state.value,
            "reason": record.reason,
            "document_id": record.document_id,
            "signed_at": record.signed_at,
            "signer_relation": record.signer_relation,
            "inbox_id": record.inbox_id,
            "event_at": record.event_at,
            "updated_at": now,
        }
        indexed = known is not None and known.signer_indexed
        if record.signer is not None or indexed or record.id is None:
            # else the consent's signer is a guardian staff recorded by name only: kept
            values |= self._sealed_signer(record.signer)
            indexed = record.signer is not None
        consent_id = self._write_consent(record.id, values, now)
        self._consents[pair] = _Consent(replace(record, id=consent_id), indexed)
        self._sent.setdefault(consent_id, False)  # a consent made just now: nothing sent
        return consent_id

    def finish_delivery(self, inbox_id: int, state: InboxState, outcome: str) -> None:
        self._finished.append(
            {
                "b_id": inbox_id,
                "b_state": state.value,
                "b_outcome": outcome[:64],
                "b_at": self._clock(),
            }
        )

    def audit(self, entry: AuditEntry) -> None:
        self._audit.append(audit_values(entry, self._clock))

    def flush(self) -> None:
        """Write the deliveries' outcomes and the audit rows (a statement each)."""
        if self._finished:
            self._connection.execute(_FINISH, self._finished)
        if self._audit:
            self._connection.execute(insert(AuditRow), self._audit)
        self._finished, self._audit = [], []

    def _write_consent(
        self, consent_id: int | None, values: dict[str, object], now: dt.datetime
    ) -> int:
        if consent_id is None:
            new_id: int = self._connection.execute(
                _NEW_CONSENT, values | {"created_at": now}
            ).scalar_one()
            return new_id
        self._connection.execute(_CONSENT_CHANGE, values | {"b_id": consent_id})
        return consent_id

    def _look_up_consents(self, pairs: Sequence[tuple[str, int]]) -> None:
        """The consents of these pairs, locked for update, and whether anything under
        each reached KOSKI."""
        if not pairs:
            return
        for row in self._connection.execute(_CONSENTS_OF, {"b_pairs": list(pairs)}):
            record = consent_record(self._cipher, row)
            self._consents[(row.course_code, row.participant_id)] = _Consent(
                record, row.signer_index is not None
            )
            self._sent[row.id] = False
        if self._sent:
            reached = self._connection.execute(_SENT_UNDER, {"b_ids": list(self._sent)}).scalars()
            self._sent |= {consent_id: True for consent_id in reached if consent_id is not None}

    def _sealed_signer(self, signer: Person | None) -> dict[str, object]:
        if signer is None:
            return {"signer_index": None, "signer_key_id": None, "signer_sealed": None}
        identity = {
            "hetu": signer.hetu.reveal(),
            "first_names": signer.first_names,
            "last_name": signer.last_name,
        }
        sealed = self._cipher.seal(json.dumps(identity, ensure_ascii=False), purposes.SIGNER)
        index = self._cipher.blind_index(signer.hetu.reveal(), purposes.HETU)
        return {"signer_index": index, "signer_key_id": sealed.key_id, "signer_sealed": sealed.blob}


def _claim(connection: Connection, inbox_ids: Sequence[int]) -> dict[int, Sealed]:
    """Count an attempt at each delivery still waiting, as a delivery bound alone does
    (on SQLite, which has no row locks, this write is what takes the database's lock:
    a delivery another drain bound meanwhile is no longer waiting); their sealed bodies."""
    claimed = connection.execute(_CLAIM, {"b_ids": list(inbox_ids)})
    return {row.id: Sealed(row.body_key_id, row.body_sealed) for row in claimed}


def consent_record(cipher: PiiCipher, row: Any) -> ConsentRecord:
    """A consent row (an ORM row, or one read with :data:`_CONSENT_COLUMNS`) as the core's
    record, its signer opened: the one place that opens a consent row, for both bindings."""
    signer = None
    if row.signer_key_id is not None and row.signer_sealed is not None:
        opened = json.loads(
            cipher.open(Sealed(row.signer_key_id, row.signer_sealed), purposes.SIGNER)
        )
        if "hetu" in opened:  # a guardian staff recorded by name only has none
            signer = Person(Hetu(opened["hetu"]), opened["first_names"], opened["last_name"])
    return ConsentRecord(
        id=row.id,
        course_code=row.course_code,
        participant_id=row.participant_id,
        state=ConsentState(row.state),
        reason=row.reason,
        document_id=row.document_id,
        signed_at=row.signed_at,
        signer_relation=row.signer_relation,
        signer=signer,
        inbox_id=row.inbox_id,
        event_at=row.event_at,
    )
