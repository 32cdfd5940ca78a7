"""The SQL ledger on SQLite and PostgreSQL: inbox idempotency, sealed identities, audit trail."""

from __future__ import annotations

import datetime as dt
import os
import threading

from sqlalchemy import Engine, text

from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.ledger import SqlLedger
from consent.config import PiiKey
from consent.hetu import Hetu
from consent.model import AuditEntry, InboxDelivery, Person
from tests.hetus import make_hetu
from tests.sql_ledger import SqlLedgerForTests

NOW = dt.datetime(2026, 9, 1, 8, 15, tzinfo=dt.UTC)
TODAY = NOW.date()


def _person(first: str = "Aino Maria", last: str = "Virtanen") -> Person:
    return Person(Hetu.parse(make_hetu(dt.date(1990, 4, 12)), today=TODAY), first, last)


def _delivery(
    webhook_id: str = "msg_2Lh9", body: bytes = b'{"type":"consent.signed"}'
) -> InboxDelivery:
    return InboxDelivery(
        "signing", webhook_id, 1788250500, "v1,abc=", "k1", "consent.signed", body, NOW
    )


def _all_stored_bytes(engine: Engine) -> bytes:
    """Every value in every ledger table, as bytes, to search for leaked personal data."""
    dump = b""
    with engine.connect() as connection:
        for table in ("webhook_inbox", "participants", "consents", "audit_events"):
            for row in connection.execute(text(f"SELECT * FROM {table}")):  # noqa: S608 - fixed names
                dump += b"|".join(v if isinstance(v, bytes) else str(v).encode() for v in row)
    return dump


def test_a_delivery_is_stored_once_and_a_replay_finds_the_same_row(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    ledger = SqlLedger(engine, cipher)
    first = ledger.store_delivery(_delivery())
    again = ledger.store_delivery(_delivery())
    assert not first.duplicate
    assert again.duplicate
    assert again.inbox_id == first.inbox_id


def test_the_raw_body_is_kept_sealed_and_opens_byte_for_byte(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    hetu = make_hetu(dt.date(2001, 1, 1))
    body = f'{{"hetu": "{hetu}", "name": "Äijälä"}}'.encode()
    receipt = SqlLedger(engine, cipher).store_delivery(_delivery(body=body))
    assert SqlLedgerForTests(engine, cipher).delivery_body(receipt.inbox_id) == body
    assert hetu.encode() not in _all_stored_bytes(engine)


def test_concurrent_deliveries_of_one_event_store_one_row(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    ledger = SqlLedger(engine, cipher)
    receipts = []
    barrier = threading.Barrier(6)

    def deliver() -> None:
        barrier.wait()
        receipts.append(ledger.store_delivery(_delivery("msg_race")))

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({r.inbox_id for r in receipts}) == 1
    assert sum(not r.duplicate for r in receipts) == 1
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM webhook_inbox")).scalar_one() == 1


def test_a_participant_is_found_by_hetu_and_stored_without_it_in_clear(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    ledger = SqlLedgerForTests(engine, cipher)
    person = _person()
    participant_id = ledger.save_participant(person)
    assert ledger.find_participant(person.hetu) == participant_id
    assert ledger.participant(participant_id) == person
    stored = _all_stored_bytes(engine)
    for secret in (person.hetu.reveal(), "Aino Maria", "Virtanen"):
        assert secret.encode() not in stored


def test_an_unknown_hetu_finds_nobody(engine: Engine, cipher: AesGcmCipher) -> None:
    SqlLedgerForTests(engine, cipher).save_participant(_person())
    assert SqlLedgerForTests(engine, cipher).find_participant(_person().hetu) is None


def test_saving_a_participant_again_updates_names_on_the_same_row(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    ledger = SqlLedgerForTests(engine, cipher)
    person = _person()
    first = ledger.save_participant(person)
    renamed = Person(person.hetu, "Aino Maria", "Korhonen")
    assert ledger.save_participant(renamed) == first
    assert ledger.participant(first).last_name == "Korhonen"


def test_after_key_rotation_old_rows_are_found_opened_and_not_duplicated(engine: Engine) -> None:
    old, new = PiiKey("k2025", os.urandom(32)), PiiKey("k2026", os.urandom(32))
    person = _person()
    before = SqlLedgerForTests(engine, AesGcmCipher([old])).save_participant(person)
    rotated = SqlLedgerForTests(engine, AesGcmCipher([new, old]))
    assert rotated.find_participant(person.hetu) == before
    assert rotated.participant(before) == person
    assert rotated.save_participant(person) == before
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM participants")).scalar_one() == 1


def test_the_audit_trail_lists_a_subject_s_entries_in_order(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    ledger = SqlLedgerForTests(engine, cipher, clock=lambda: NOW)
    ledger.append_audit(
        AuditEntry("webhook", "delivery.stored", "inbox", 7, {"webhook_id": "msg_1"})
    )
    ledger.append_audit(AuditEntry("worker", "consent.bound", "inbox", 7))
    ledger.append_audit(AuditEntry("worker", "consent.bound", "inbox", 8))
    trail = ledger.audit_trail("inbox", 7)
    assert [(e.actor, e.action) for e in trail] == [
        ("webhook", "delivery.stored"),
        ("worker", "consent.bound"),
    ]
    assert trail[0].details == {"webhook_id": "msg_1"}
    assert trail[0].occurred_at == NOW
