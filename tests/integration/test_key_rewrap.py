"""Retiring a PII key on SQLite and PostgreSQL: ``keys status`` counts what each key holds,
``keys rewrap`` seals everything again under the current key, and then the old key can go."""

from __future__ import annotations

import base64
import datetime as dt
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.orm import Session

from consent import binding
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql import participants
from consent.adapters.sql.enrolments import SqlEnrolments
from consent.adapters.sql.key_usage import SqlKeyUsage
from consent.adapters.sql.pending_imports import SqlPendingImports
from consent.adapters.sql.rewrap import SqlRewrap
from consent.adapters.sql.sealed_columns import SEALED_TABLES
from consent.adapters.sql.tables import AuditRow, Base, ParticipantRow
from consent.config import PiiKey
from consent.enrolments import EnrolmentRow
from consent.hetu import Hetu
from consent.key_usage import KeyUsage, RewrapReport
from consent.model import Person
from tests.hetus import make_hetu
from tests.integration.test_binding import GUARDIAN, MINOR, store
from tests.signing import body_of, event, person
from tests.sql_ledger import SqlLedgerForTests

NOW = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)
K0, K1, K2 = (PiiKey(name, os.urandom(32)) for name in ("k0", "k1", "k2"))
COURSE = "knoppi-2026-syksy"
CSV = b"hetu,grade,graded_on\n"


def ring(*keys: PiiKey) -> AesGcmCipher:
    return AesGcmCipher(keys)


@dataclass(frozen=True)
class Seeded:
    """What was stored through the real write paths, to be read back afterwards."""

    inbox: dict[int, bytes]
    people: list[str]  # hetus of participants
    consents: dict[int, str]  # participant id -> signer's hetu
    upload: str
    enrolment: int


def seed(engine: Engine, cipher: AesGcmCipher, adults: int = 5) -> Seeded:
    """Deliveries bound to consents (adults for themselves, a minor by a guardian), an
    upload held for confirmation, and an enrolment with its signed PDF, all under ``cipher``."""
    ledger = SqlLedgerForTests(engine, cipher, lambda: NOW)
    documents = [event(p, p) for p in (person(dt.date(1990, 1, 1 + n)) for n in range(adults))]
    documents.append(event(MINOR, GUARDIAN))
    inbox, consents = {}, {}
    for n, document in enumerate(documents):
        inbox_id = store(ledger, document, f"msg_{n}")
        assert binding.bind_consent(inbox_id, ledger, lambda: NOW).outcome == "signed: valid"
        inbox[inbox_id] = body_of(document)
        data = document["data"]
        found = ledger.find_participant(Hetu(data["participant"]["hetu"]))
        assert found is not None
        consents[found] = data["signer"]["hetu"]
    upload = SqlPendingImports(engine, cipher, lambda: NOW).hold(COURSE, "csv", CSV, "staff")
    enrolments = SqlEnrolments(engine, cipher, lambda: NOW)
    row = EnrolmentRow(
        Person(Hetu(make_hetu(dt.date(1985, 3, 3))), "Eino", "Esimerkki"),
        Person(Hetu(make_hetu(dt.date(1985, 3, 3))), "Eino", "Esimerkki"),
        {"email": "eino@example.fi"},
    )
    (enrolment,), _ = enrolments.enrol(COURSE, [row], NOW + dt.timedelta(days=30), "test")
    enrolments.keep_signed_pdf(enrolment, b"%PDF-1.7 signed")
    people = [d["data"]["participant"]["hetu"] for d in documents] + [row.participant.hetu.reveal()]
    return Seeded(inbox, people, consents, upload, enrolment)


def assert_everything_opens(engine: Engine, cipher: AesGcmCipher, seeded: Seeded) -> None:
    """Every seeded value is found by its hetu and opens under ``cipher``."""
    ledger = SqlLedgerForTests(engine, cipher, lambda: NOW)
    for inbox_id, body in seeded.inbox.items():
        assert ledger.delivery_body(inbox_id) == body
    for hetu in seeded.people:
        found = ledger.find_participant(Hetu(hetu))
        assert found is not None
        assert ledger.participant(found).hetu.reveal() == hetu
    with ledger.binding() as transaction:
        for participant_id, signer in seeded.consents.items():
            record = transaction.consent_for(COURSE, participant_id)
            assert record is not None
            assert record.signer is not None
            assert record.signer.hetu.reveal() == signer
    held = SqlPendingImports(engine, cipher, lambda: NOW).take(seeded.upload, COURSE, "staff")
    assert held == ("csv", CSV)
    enrolments = SqlEnrolments(engine, cipher, lambda: NOW)
    assert enrolments.get(seeded.enrolment).contact == {"email": "eino@example.fi"}
    assert enrolments.signed_pdf(seeded.enrolment) == b"%PDF-1.7 signed"


def rewrap(engine: Engine, cipher: AesGcmCipher, **options: Any) -> RewrapReport:
    options = {"batch_size": 2, "progress": lambda _table, _done: None, **options}
    return SqlRewrap(engine, cipher, lambda: NOW).run("test", **options)


def usage(engine: Engine, cipher: AesGcmCipher) -> KeyUsage:
    return SqlKeyUsage(engine, cipher).usage()


def audit_actions(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(select(AuditRow.action).order_by(AuditRow.id)).scalars())


def test_rewrap_seals_everything_again_so_the_old_key_can_be_removed(engine: Engine) -> None:
    seeded = seed(engine, ring(K1))
    report = rewrap(engine, ring(K2, K1))
    assert report.rewrapped == {
        "webhook_inbox": 6,
        "participants": 8,  # six who consented, the guardian, the one enrolled
        "consents": 6,
        "pending_imports": 1,
        "enrolments": 1,
    }
    assert report.left() == 0
    assert_everything_opens(engine, ring(K2), seeded)  # k1 gone from the ring


def test_status_counts_each_column_by_key_and_names_the_keys_that_may_go(engine: Engine) -> None:
    seed(engine, ring(K1))
    before = usage(engine, ring(K2, K1))
    by_column = {c.column: dict(c.by_key) for c in before.columns()}
    assert by_column["participants.hetu"] == {"k1": 8}
    assert by_column["participants.hetu_index"] == {"k1": 8}
    assert by_column["consents.signer_index"] == {"k1": 6}
    assert by_column["enrolments.pdf"] == {"k1": 1}
    assert before.waiting() == 6 + 8 + 8 + 8 + 6 + 6 + 1 + 1 + 1
    assert before.unused_keys() == ()
    assert not before.settled()
    rewrap(engine, ring(K2, K1))
    after = usage(engine, ring(K2, K1))
    assert {c.column: dict(c.by_key) for c in after.columns()}["participants.hetu_index"] == {
        "k2": 8
    }
    assert after.unused_keys() == ("k1",)
    assert after.settled()


def test_a_second_rewrap_finds_nothing_and_writes_nothing(engine: Engine) -> None:
    seed(engine, ring(K1))
    rewrap(engine, ring(K2, K1))
    audited = audit_actions(engine)
    assert audited[-2:] == ["pii_rewrap_started", "pii_rewrapped"]
    again = rewrap(engine, ring(K2, K1))
    assert again.total() == 0
    assert again.left() == 0
    assert audit_actions(engine) == audited


def test_the_audit_holds_counts_by_table_and_no_value(engine: Engine) -> None:
    seeded = seed(engine, ring(K1))
    rewrap(engine, ring(K2, K1))
    with engine.connect() as connection:
        query = select(AuditRow.details).where(AuditRow.action == "pii_rewrapped")
        details = connection.execute(query).scalar_one()
    assert details["key_id"] == "k2"
    assert details["rewrapped"]["participants"] == 8
    assert not any(hetu in str(details) for hetu in seeded.people)


def test_a_rewrap_stopped_midway_carries_on_where_it_stopped(engine: Engine) -> None:
    seeded = seed(engine, ring(K1))

    def stop_after_one_batch(table: str, done: int) -> None:
        if table == "participants":
            raise KeyboardInterrupt  # as a kill would, between two batches

    with pytest.raises(KeyboardInterrupt):
        rewrap(engine, ring(K2, K1), progress=stop_after_one_batch)
    midway = {c.column: dict(c.by_key) for c in usage(engine, ring(K2, K1)).sealed}
    assert midway["webhook_inbox.body"] == {"k2": 6}
    assert midway["participants.hetu"] == {"k2": 2, "k1": 6}  # one batch of two committed
    report = rewrap(engine, ring(K2, K1))
    assert report.rewrapped["participants"] == 6
    assert "webhook_inbox" not in report.rewrapped
    assert_everything_opens(engine, ring(K2), seeded)


def test_values_under_a_key_no_longer_configured_are_reported_unreadable_and_left_alone(
    engine: Engine,
) -> None:
    seed(engine, ring(K0))
    found = usage(engine, ring(K2, K1))
    assert found.unreadable()["participants.hetu"] == 8
    assert found.unreadable()["participants.hetu_index"] == 8  # cannot be told: unidentified
    assert found.waiting() == 0
    assert found.unused_keys() == ("k1",)
    assert not found.settled()
    report = rewrap(engine, ring(K2, K1))
    assert report.total() == 0
    assert usage(engine, ring(K2, K1)).unreadable() == found.unreadable()


def test_a_value_that_fails_authentication_is_left_and_counted(engine: Engine) -> None:
    seed(engine, ring(K1))
    with engine.begin() as connection:
        first = connection.execute(select(func.min(ParticipantRow.id))).scalar_one()
        connection.execute(
            update(ParticipantRow)
            .where(ParticipantRow.id == first)
            .values(names_sealed=b"\x00" * 40)
        )
    report = rewrap(engine, ring(K2, K1))
    assert report.unopened == {"participants": 1}
    assert report.remaining == {"participants": 1}
    assert report.rewrapped["participants"] == 7


def test_a_participant_saved_under_the_new_key_meanwhile_stays_one_participant(
    engine: Engine,
) -> None:
    seeded = seed(engine, ring(K1))
    hetu = seeded.people[0]
    web = SqlLedgerForTests(engine, ring(K2, K1), lambda: NOW)  # a process already on k2
    before = web.find_participant(Hetu(hetu))
    assert web.save_participant(Person(Hetu(hetu), "Aino", "Uusi")) == before  # by k1's index
    rewrap(engine, ring(K2, K1))
    assert web.save_participant(Person(Hetu(hetu), "Aino", "Uusin")) == before  # by k2's
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(ParticipantRow)).scalar() == 8
    assert SqlLedgerForTests(engine, ring(K2), lambda: NOW).participant(before).last_name == "Uusin"


def test_two_rows_of_one_hetu_are_left_for_merging_and_reported(engine: Engine) -> None:
    """Two processes sealing under different keys at once can each store a new person."""
    hetu = Hetu(make_hetu(dt.date(1970, 7, 7)))
    for cipher in (ring(K1, K2), ring(K2, K1)):
        with Session(engine) as session, session.begin():
            values = _participant_values(cipher, hetu)
            session.execute(insert(ParticipantRow).values(values))
    assert usage(engine, ring(K2, K1)).shared_hetus == 2
    report = rewrap(engine, ring(K2, K1))
    assert report.shared == {"participants": 1}
    assert report.remaining == {"participants": 1}


def _participant_values(cipher: AesGcmCipher, hetu: Hetu) -> dict[str, Any]:
    sealed = cipher.seal(hetu.reveal(), "participant.hetu")
    names = participants.seal_names(cipher, Person(hetu, "Aino", "Esimerkki"))
    return {
        "hetu_index": cipher.blind_index(hetu.reveal(), "participant.hetu"),
        "hetu_key_id": sealed.key_id,
        "hetu_sealed": sealed.blob,
        "names_key_id": names.key_id,
        "names_sealed": names.blob,
        "created_at": NOW,
        "updated_at": NOW,
    }


@pytest.mark.parametrize("empty_engine", ["postgresql"], indirect=True)
def test_a_row_held_by_a_concurrent_save_is_passed_over_then_taken_with_its_change(
    engine: Engine,
) -> None:
    seeded = seed(engine, ring(K1))
    hetu = Hetu(seeded.people[0])
    with Session(engine) as web, web.begin():  # a web request saving the person, not committed
        held = participants.save(web, ring(K2, K1), Person(hetu, "Aino", "Uusi"), NOW)
        web.flush()  # the UPDATE of the names holds the row
        report = rewrap(engine, ring(K2, K1))
        assert report.remaining == {"participants": 1}
    report = rewrap(engine, ring(K2, K1))
    assert report.rewrapped == {"participants": 1}
    assert report.left() == 0
    opened = SqlLedgerForTests(engine, ring(K2), lambda: NOW)
    assert opened.find_participant(hetu) == held
    assert opened.participant(held).last_name == "Uusi"  # the save was not overwritten


def test_every_sealed_column_and_blind_index_of_the_tables_is_rewrapped() -> None:
    known = {
        (spec.name, name)
        for spec in SEALED_TABLES
        for column in spec.sealed
        for name in (column.key_id, column.blob)
    } | {(spec.name, index.column) for spec in SEALED_TABLES for index in spec.indexes}
    stored = {
        (table.name, column.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if column.name.endswith(("_sealed", "_index"))
    }
    assert stored <= known


RING = (K2, K1)


@pytest.mark.parametrize("empty_engine", ["sqlite"], indirect=True)
def test_the_status_command_exits_1_while_values_wait_and_shows_no_value(engine: Engine) -> None:
    seeded = seed(engine, ring(K1))
    env = {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "PII_KEY": " ".join(f"{k.key_id}:{base64.b64encode(k.material).decode()}" for k in RING),
    }
    status = subprocess.run(
        [sys.executable, "-m", "cli.main", "keys", "status"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert status.returncode == 1, status.stderr
    assert "45 still under an older key: run `vst-consent keys rewrap`" in status.stdout
    assert ["participants.hetu_index", "k1:", "8"] in [
        line.split() for line in status.stdout.splitlines()
    ]
    assert not any(hetu in status.stdout for hetu in seeded.people)
