"""A person without a hetu and a consent recorded from paper survive a key rewrap, on
SQLite and PostgreSQL: the oid, the birth date, the scanned form and a guardian known by name
only are sealed again under the new key and found by the new key's index alone."""

from __future__ import annotations

import datetime as dt
import json
import os

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql import participants, purposes
from consent.adapters.sql.recorded_consents import SqlConsentRecords
from consent.adapters.sql.rewrap import SqlRewrap
from consent.adapters.sql.tables import ConsentRow
from consent.config import PiiKey
from consent.model import ConsentRecord, ConsentState, OidPerson
from consent.oppijanumero import Oppijanumero
from consent.ports import Sealed
from tests.oids import make_oid

NOW = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)
K1, K2 = (PiiKey(name, os.urandom(32)) for name in ("k1", "k2"))
PDF = b"%PDF-1.4\n%%EOF\n"


def test_an_oid_person_and_a_paper_consent_open_under_the_new_key_alone(engine: Engine) -> None:
    oid = Oppijanumero.parse(make_oid())
    lea = OidPerson(oid, dt.date(2011, 1, 1), "Lea", "Ali")
    with SqlConsentRecords(engine, AesGcmCipher([K1]), lambda: NOW).recording() as tx:
        pid = tx.save_participant(lea)
        record = ConsentRecord(
            None,
            "knoppi",
            pid,
            ConsentState.VALID,
            None,
            "staff-1",
            NOW,
            "guardian",
            None,
            None,
            NOW,
        )
        consent_id = tx.save_consent(record)
        tx.keep_form(consent_id, PDF, "staff:maija", ("Sara", "Ali"))
    rewrap = SqlRewrap(engine, AesGcmCipher([K2, K1]), lambda: NOW)
    report = rewrap.run("test", progress=lambda _table, _done: None)
    assert report.left() == 0
    new_only = AesGcmCipher([K2])
    with Session(engine) as session:
        row = participants.find_row(session, new_only, oid)
        assert row is not None
        assert participants.person(new_only, row) == lea
        consent = session.execute(select(ConsentRow)).scalar_one()
    assert consent.pdf_key_id == "k2"
    assert consent.pdf_sealed is not None
    assert new_only.open_bytes(Sealed("k2", consent.pdf_sealed), purposes.CONSENT_PDF) == PDF
    assert consent.signer_index is None  # a guardian known by name has no index to remake
    assert consent.signer_key_id == "k2"
    assert consent.signer_sealed is not None
    signer = new_only.open(Sealed("k2", consent.signer_sealed), purposes.SIGNER)
    assert json.loads(signer) == {"first_names": "Sara", "last_name": "Ali"}
