"""A batch of deliveries bound together on the real ledger (SQLite and PostgreSQL): each is
bound as it would be bound alone, in their order, in a few statements for the whole batch;
what was sent under a consent bound before still counts; two drains binding events of one
new participant at once bind each event once."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

from sqlalchemy import Engine, event, insert, text

from consent import binding
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.ledger import SqlLedger
from consent.adapters.sql.tables import CourseRow, ResultRow, SubmissionRow
from consent.model import InboxDelivery
from tests.signing import body_of, person
from tests.signing import event as consent_event

NOW = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)
ADULT = person(dt.date(1990, 5, 5))
GUARDIAN = person(dt.date(1980, 2, 2), "Maija")
MINOR = person(dt.date(2011, 4, 4), "Onni")
LONE_MINOR = person(dt.date(2012, 6, 6), "Eetu")
STRANGER = person(dt.date(1975, 7, 7), "Eero")


def store(ledger: SqlLedger, document: dict[str, Any] | bytes, webhook_id: str) -> int:
    body = document if isinstance(document, bytes) else body_of(document)
    delivery = InboxDelivery("signing", webhook_id, 1, "v1,x", "k", "consent.signed", body, NOW)
    return ledger.store_delivery(delivery).inbox_id


def rows(engine: Engine, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(sql), params)]


def replayed(course: str) -> list[dict[str, Any] | bytes]:
    """Deliveries whose binding depends on the ones before them: a consent, its
    cancellation, an event older than that; a guardian's and a lone minor's signatures;
    and a body that is no consent event."""
    return [
        consent_event(ADULT, ADULT, course=course, at="2026-09-01T08:00:00Z"),
        consent_event(MINOR, GUARDIAN, course=course, document_id="doc-2"),
        b'{"type": "consent.signed"}',
        consent_event(LONE_MINOR, LONE_MINOR, course=course, document_id="doc-3"),
        consent_event(
            ADULT, None, kind="consent.cancelled", course=course, at="2026-09-01T08:30:00Z"
        ),
        consent_event(ADULT, ADULT, course=course, at="2026-09-01T08:10:00Z"),
        consent_event(GUARDIAN, GUARDIAN, course=course, document_id="doc-4"),
    ]


def consents(engine: Engine, course: str) -> list[tuple[Any, ...]]:
    """Each consent of the course as binding left it (the sealed signer only as there or not)."""
    return rows(
        engine,
        "SELECT p.hetu_index, c.state, c.reason, c.signer_relation, c.document_id, c.event_at,"
        " c.signer_index IS NOT NULL, c.signer_sealed IS NOT NULL"
        " FROM consents c JOIN participants p ON p.id = c.participant_id"
        " WHERE c.course_code = :course ORDER BY c.id",
        course=course,
    )


def trail(engine: Engine, inbox_ids: list[int]) -> list[tuple[Any, ...]]:
    """What each delivery did: its inbox row, and the audit entry it left."""
    inbox = {
        i: (state, outcome, attempts)
        for i, state, outcome, attempts in rows(
            engine, "SELECT id, state, outcome, attempts FROM webhook_inbox"
        )
    }
    audit = rows(engine, "SELECT action, subject_type, details FROM audit_events ORDER BY id")
    by_delivery = {
        (d if isinstance(d, dict) else _json(d))["inbox_id"]: (action, subject)
        for action, subject, d in audit
    }
    return [(*inbox[i], *by_delivery[i]) for i in inbox_ids]


def _json(details: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(details)
    return loaded


def test_a_batch_binds_each_delivery_as_binding_it_alone_would(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    ledger = SqlLedger(engine, cipher, lambda: NOW)
    together = [store(ledger, d, f"t{n}") for n, d in enumerate(replayed("batch-2026"))]
    bound = binding.bind_batch(ledger, lambda: NOW)
    alone = [store(ledger, d, f"a{n}") for n, d in enumerate(replayed("alone-2026"))]
    one_by_one = [binding.bind_consent(i, ledger, lambda: NOW).outcome for i in alone]
    assert [i for i, _ in bound.bound] == together
    assert [done.outcome for _, done in bound.bound] == one_by_one
    assert one_by_one == [
        "signed: valid",
        "signed: valid",
        "unreadable event (EventSchemaViolation)",
        "signed: rejected",
        "withdrawn before anything was sent",
        "older than the consent's current state; ignored",
        "signed: valid",
    ]
    assert consents(engine, "batch-2026") == consents(engine, "alone-2026")
    assert trail(engine, together) == trail(engine, alone)
    assert rows(engine, "SELECT count(*) FROM participants") == [(4,)]


def test_a_batch_of_new_participants_is_bound_in_a_few_statements_and_one_each(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    ledger = SqlLedger(engine, cipher, lambda: NOW)
    adults = [person(dt.date(1980, 1, 1) + dt.timedelta(days=n), f"T{n}") for n in range(20)]
    for n, member in enumerate(adults):
        store(ledger, consent_event(member, member), f"m{n}")
    statements: list[str] = []
    listen = (engine, "before_cursor_execute")

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(*listen, count)
    try:
        bound = binding.bind_batch(ledger, lambda: NOW)
    finally:
        event.remove(*listen, count)
    assert [done.outcome for _, done in bound.bound] == ["signed: valid"] * 20
    consent_inserts = [s for s in statements if s.startswith("INSERT INTO consents")]
    assert len(consent_inserts) == 20  # the one statement a delivery needs of its own
    assert len(statements) - len(consent_inserts) <= 10  # the batch's, however many it holds
    assert rows(engine, "SELECT count(*) FROM consents WHERE state = 'valid'") == [(20,)]


def _sent_under(engine: Engine, consent_id: int) -> None:
    """A result bound to the consent, sent to KOSKI."""
    course = {
        "code": "knoppi-2026-syksy",
        "name_fi": "Knoppi",
        "opintokokonaisuus": "1",
        "laajuus_op": 1,
        "end_date": dt.date(2026, 12, 1),
        "oppilaitos_oid": "1.2.246.562.10.1",
        "language": "fi",
        "grading_scale": "hyvaksytty",
        "confirmer_name": "N",
        "confirmer_title": "T",
        "created_at": NOW,
        "updated_at": NOW,
    }
    with engine.begin() as connection:
        course_id = connection.execute(insert(CourseRow).returning(CourseRow.id), course).scalar()
        (participant_id,) = connection.execute(
            text("SELECT participant_id FROM consents WHERE id = :id"), {"id": consent_id}
        ).one()
        result = {
            "course_id": course_id,
            "participant_id": participant_id,
            "grade": "hyväksytty",
            "graded_on": NOW.date(),
            "status": "graded",
            "content_hash": "x",
            "consent_id": consent_id,
            "binding": "eligible",
            "created_at": NOW,
            "updated_at": NOW,
        }
        result_id = connection.execute(insert(ResultRow).returning(ResultRow.id), result).scalar()
        submission = {
            "result_id": result_id,
            "source_id": "s1",
            "source_system": "vst",
            "state": "sent",
            "oid": "1.2.246.562.15.1",
            "created_at": NOW,
            "updated_at": NOW,
        }
        connection.execute(insert(SubmissionRow), submission)


def test_a_cancellation_in_a_batch_withdraws_only_a_consent_nothing_was_sent_under(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    ledger = SqlLedger(engine, cipher, lambda: NOW)
    store(ledger, consent_event(ADULT, ADULT, at="2026-09-01T08:00:00Z"), "m1")
    store(ledger, consent_event(STRANGER, STRANGER, at="2026-09-01T08:00:00Z"), "m2")
    binding.bind_batch(ledger, lambda: NOW)
    [(sent_id,)] = rows(engine, "SELECT id FROM consents ORDER BY id LIMIT 1")
    _sent_under(engine, sent_id)
    for n, member in enumerate((ADULT, STRANGER)):
        cancelled = consent_event(member, None, kind="consent.cancelled", at="2026-09-01T08:30:00Z")
        store(ledger, cancelled, f"c{n}")
    bound = binding.bind_batch(ledger, lambda: NOW)
    assert [done.outcome for _, done in bound.bound] == [
        "cancellation after sending ignored; revoke through OPH",
        "withdrawn before anything was sent",
    ]
    assert rows(engine, "SELECT state FROM consents ORDER BY id") == [("valid",), ("withdrawn",)]


def test_two_batches_binding_one_new_participant_at_once_bind_each_delivery_once(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    """On SQLite the second waits for the first's commit; on PostgreSQL each takes its own
    delivery and the second meets the first's new participant: either way nothing twice."""
    ledger = SqlLedger(engine, cipher, lambda: NOW)
    store(ledger, consent_event(ADULT, ADULT, course="a-2026"), "m1")
    store(ledger, consent_event(ADULT, ADULT, course="b-2026"), "m2")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def work() -> None:
        barrier.wait()
        while (batch := binding.bind_batch(ledger, lambda: NOW, limit=1)).claimed:
            outcomes.extend(done.outcome for _, done in batch.bound)
            outcomes.extend("failed" for _ in batch.failed)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("signed: valid") == 2
    assert rows(engine, "SELECT state, count(*) FROM webhook_inbox GROUP BY state") == [
        ("processed", 2)
    ]
    assert rows(engine, "SELECT count(*) FROM participants") == [(1,)]
    assert rows(engine, "SELECT course_code FROM consents ORDER BY course_code") == [
        ("a-2026",),
        ("b-2026",),
    ]
