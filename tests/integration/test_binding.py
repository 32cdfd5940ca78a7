"""Binding stored deliveries to consents in the SQL ledger (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from sqlalchemy import Engine, text

from consent import binding, rules
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.ledger import SqlLedger
from consent.hetu import Hetu
from consent.model import InboxDelivery
from tests.signing import body_of, event, person
from tests.sql_ledger import SqlLedgerForTests

NOW = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)
ADULT = person(dt.date(1990, 5, 5))
GUARDIAN = person(dt.date(1980, 2, 2), "Maija")
MINOR = person(dt.date(2011, 4, 4), "Onni")


def store(ledger: SqlLedger, document: dict[str, Any], webhook_id: str = "msg_1") -> int:
    delivery = InboxDelivery(
        "signing", webhook_id, 1, "v1,x", "k", document["type"], body_of(document), NOW
    )
    return ledger.store_delivery(delivery).inbox_id


def rows(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(sql))]


def bind(ledger: SqlLedger, inbox_id: int) -> str:
    return binding.bind_consent(inbox_id, ledger, lambda: NOW).outcome


def test_an_adult_consent_is_bound_with_the_signer_sealed(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    ledger = SqlLedgerForTests(engine, cipher, lambda: NOW)
    inbox_id = store(ledger, event(ADULT, ADULT))
    assert bind(ledger, inbox_id) == "signed: valid"
    participant = ledger.find_participant(Hetu.parse(ADULT["hetu"], today=NOW.date()))
    assert rows(
        engine, "SELECT course_code, participant_id, state, signer_relation, inbox_id FROM consents"
    ) == [("knoppi-2026-syksy", participant, "valid", "self", inbox_id)]
    assert rows(engine, "SELECT state, outcome FROM webhook_inbox") == [
        ("processed", "signed: valid")
    ]
    dump = str(rows(engine, "SELECT * FROM consents")) + str(
        rows(engine, "SELECT * FROM audit_events")
    )
    assert ADULT["hetu"] not in dump
    assert "Esimerkki" not in dump


def test_a_guardian_consent_and_a_lone_minor_are_told_apart(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    ledger = SqlLedger(engine, cipher, lambda: NOW)
    bind(ledger, store(ledger, event(MINOR, GUARDIAN)))
    bind(ledger, store(ledger, event(MINOR, MINOR, course="toinen-kurssi"), "msg_2"))
    assert rows(
        engine, "SELECT course_code, state, reason, signer_relation FROM consents ORDER BY id"
    ) == [
        ("knoppi-2026-syksy", "valid", None, "guardian"),
        ("toinen-kurssi", "rejected", rules.MINOR_SIGNED_ALONE, None),
    ]


def test_binding_again_changes_nothing(engine: Engine, cipher: AesGcmCipher) -> None:
    ledger = SqlLedger(engine, cipher, lambda: NOW)
    inbox_id = store(ledger, event(ADULT, ADULT))
    bind(ledger, inbox_id)
    before = (
        rows(engine, "SELECT * FROM consents"),
        rows(engine, "SELECT count(*) FROM audit_events"),
    )
    assert bind(ledger, inbox_id) == "already bound"
    assert (
        rows(engine, "SELECT * FROM consents"),
        rows(engine, "SELECT count(*) FROM audit_events"),
    ) == before


def test_two_workers_binding_one_delivery_at_once_bind_it_once(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    ledger = SqlLedger(engine, cipher, lambda: NOW)
    inbox_id = store(ledger, event(ADULT, ADULT))
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def work() -> None:
        barrier.wait()
        outcomes.append(bind(ledger, inbox_id))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already bound", "signed: valid"]
    assert rows(engine, "SELECT count(*) FROM consents") == [(1,)]
    assert rows(engine, "SELECT count(*) FROM audit_events") == [(1,)]


def test_a_withdrawal_keeps_the_consent_row_and_its_history(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    ledger = SqlLedgerForTests(engine, cipher, lambda: NOW)
    bind(ledger, store(ledger, event(ADULT, ADULT, at="2026-09-01T08:00:00Z")))
    cancelled = event(ADULT, None, kind="consent.cancelled", at="2026-09-01T08:30:00Z")
    bind(ledger, store(ledger, cancelled, "msg_2"))
    assert rows(engine, "SELECT state, signer_relation FROM consents") == [("withdrawn", "self")]
    consent_id = rows(engine, "SELECT id FROM consents")[0][0]
    trail = ledger.audit_trail("consent", consent_id)
    assert [e.details["outcome"] for e in trail] == [
        "signed: valid",
        "withdrawn before anything was sent",
    ]


def test_the_sweeper_finds_deliveries_left_unbound(engine: Engine, cipher: AesGcmCipher) -> None:
    ledger = SqlLedger(engine, cipher, lambda: NOW)
    waiting = store(ledger, event(ADULT, ADULT))
    bind(ledger, store(ledger, event(GUARDIAN, GUARDIAN), "msg_2"))
    assert ledger.pending_deliveries(NOW + dt.timedelta(seconds=1)) == [waiting]
    assert ledger.pending_deliveries(NOW) == []
