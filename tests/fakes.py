"""In-memory implementations of the ports, for unit tests of the use cases."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from consent.hetu import Hetu
from consent.model import AuditEntry, ConsentRecord, InboxState, Person
from consent.ports import Counting


@dataclass
class StoredDelivery:
    body: bytes
    received_at: dt.datetime
    state: InboxState = InboxState.RECEIVED
    outcome: str | None = None


@dataclass
class _State:
    deliveries: dict[int, StoredDelivery] = field(default_factory=dict)
    participants: dict[Hetu, tuple[int, Person]] = field(default_factory=dict)
    consents: dict[int, ConsentRecord] = field(default_factory=dict)
    sent_consents: set[int] = field(default_factory=set)
    audit: list[AuditEntry] = field(default_factory=list)


class InMemoryLedger:
    """A consent ledger in dicts, with transactions that roll back on an exception."""

    def __init__(self) -> None:
        self.state = _State()
        self.crash_before_saving_consent = False

    def add_delivery(self, inbox_id: int, body: bytes, received_at: dt.datetime) -> None:
        self.state.deliveries[inbox_id] = StoredDelivery(body, received_at)

    @contextmanager
    def binding(self) -> Iterator[InMemoryTransaction]:
        before = copy.deepcopy(self.state)
        try:
            yield InMemoryTransaction(self.state, self.crash_before_saving_consent)
        except BaseException:
            self.state = before
            raise

    def pending_deliveries(self, received_before: dt.datetime, limit: int = 500) -> list[int]:
        waiting = [
            i
            for i, d in sorted(self.state.deliveries.items())
            if d.state is InboxState.RECEIVED and d.received_at < received_before
        ]
        return waiting[:limit]

    def consent(self, course_code: str, hetu: Hetu) -> ConsentRecord | None:
        participant_id = self.state.participants[hetu][0]
        return next(
            (
                c
                for c in self.state.consents.values()
                if c.course_code == course_code and c.participant_id == participant_id
            ),
            None,
        )


class InMemoryTransaction:
    """:class:`consent.ports.BindingTransaction` over the fake's state."""

    def __init__(self, state: _State, crash_before_saving_consent: bool = False) -> None:
        self._state = state
        self._crash = crash_before_saving_consent

    def claim_delivery(self, inbox_id: int) -> bytes | None:
        delivery = self._state.deliveries[inbox_id]
        return delivery.body if delivery.state is InboxState.RECEIVED else None

    def save_participant(self, person: Person) -> int:
        existing = self._state.participants.get(person.hetu)
        participant_id = existing[0] if existing else len(self._state.participants) + 1
        self._state.participants[person.hetu] = (participant_id, person)
        return participant_id

    def consent_for(self, course_code: str, participant_id: int) -> ConsentRecord | None:
        return next(
            (
                c
                for c in self._state.consents.values()
                if c.course_code == course_code and c.participant_id == participant_id
            ),
            None,
        )

    def any_sent(self, consent_id: int) -> bool:
        return consent_id in self._state.sent_consents

    def save_consent(self, record: ConsentRecord) -> int:
        if self._crash:
            raise ConnectionError("the database went away mid-transaction")
        consent_id = record.id or len(self._state.consents) + 1
        self._state.consents[consent_id] = replace(record, id=consent_id)
        return consent_id

    def finish_delivery(self, inbox_id: int, state: InboxState, outcome: str) -> None:
        delivery = self._state.deliveries[inbox_id]
        delivery.state, delivery.outcome = state, outcome

    def audit(self, entry: AuditEntry) -> None:
        self._state.audit.append(entry)


class RecordingQueue:
    """A job queue that remembers what it was asked to do."""

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.bindings: list[int] = []
        self.ensured: list[int] = []
        self._fail_with = fail_with

    def enqueue_binding(self, inbox_id: int) -> None:
        if self._fail_with is not None:
            raise self._fail_with
        self.bindings.append(inbox_id)

    def enqueue_new_binding(self, inbox_id: int, _counting: Counting | None = None) -> None:
        self.enqueue_binding(inbox_id)

    def ensure_binding(self, inbox_id: int) -> str:
        self.ensured.append(inbox_id)
        return "enqueued"
