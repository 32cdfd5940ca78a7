"""Migration 0016 (people without a hetu) on a ledger that already holds people: every
hetu participant, and what refers to them, comes through intact, and the new checks hold."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from consent.adapters.sql.migrate import upgrade

AT = dt.datetime(2026, 9, 1, 8, 0)
PERSON = (
    "INSERT INTO participants (hetu_index, hetu_key_id, hetu_sealed, created_at, updated_at) "
    "VALUES (:index, 'k', :sealed, :at, :at)"
)
CONSENT = (
    "INSERT INTO consents (course_code, participant_id, state, created_at, updated_at) "
    "VALUES ('knoppi', :pid, 'valid', :at, :at)"
)
OID_PERSON = (
    "INSERT INTO participants (oid_index, oid_key_id, oid_sealed, birth_date_key_id, "
    "birth_date_sealed, created_at, updated_at) VALUES (:index, 'k', :sealed, 'k', :born, :at, :at)"
)


def _people_before(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0015")
    with empty_engine.begin() as connection:
        for n in (1, 2):
            connection.execute(text(PERSON), {"index": f"i{n}", "sealed": b"s%d" % n, "at": AT})
        connection.execute(text(CONSENT), {"pid": 2, "at": AT})


def test_upgrading_keeps_every_hetu_participant_and_their_consents(empty_engine: Engine) -> None:
    _people_before(empty_engine)
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        people = connection.execute(
            text("SELECT id, hetu_index, hetu_sealed, oid_index FROM participants ORDER BY id")
        ).all()
        consent = connection.execute(text("SELECT participant_id FROM consents")).scalar_one()
    assert [tuple(row) for row in people] == [(1, "i1", b"s1", None), (2, "i2", b"s2", None)]
    assert consent == 2


def test_after_upgrading_a_consent_still_needs_its_participant(empty_engine: Engine) -> None:
    _people_before(empty_engine)
    upgrade(empty_engine)
    with pytest.raises(DBAPIError), empty_engine.begin() as connection:
        connection.execute(text(CONSENT), {"pid": 99, "at": AT})


@pytest.mark.parametrize(
    ("statement", "values"),
    [
        (
            "INSERT INTO participants (created_at, updated_at) VALUES (:at, :at)",
            {},
        ),
        (
            "INSERT INTO participants (hetu_index, hetu_key_id, hetu_sealed, oid_index, "
            "oid_key_id, oid_sealed, birth_date_key_id, birth_date_sealed, created_at, "
            "updated_at) VALUES ('h', 'k', 'x', 'o', 'k', 'x', 'k', 'x', :at, :at)",
            {},
        ),
        (
            "INSERT INTO participants (oid_index, oid_key_id, oid_sealed, created_at, "
            "updated_at) VALUES ('o', 'k', 'x', :at, :at)",
            {},
        ),
    ],
    ids=["no identity", "both identities", "oid without birth date"],
)
def test_a_participant_has_exactly_one_identity_and_an_oid_a_birth_date(
    engine: Engine, statement: str, values: dict[str, object]
) -> None:
    with pytest.raises(DBAPIError), engine.begin() as connection:
        connection.execute(text(statement), {"at": AT, **values})


def test_two_participants_cannot_share_one_oid(engine: Engine) -> None:
    values = {"index": "o1", "sealed": b"s", "born": b"b", "at": AT}
    with engine.begin() as connection:
        connection.execute(text(OID_PERSON), values)
    with pytest.raises(DBAPIError), engine.begin() as connection:
        connection.execute(text(OID_PERSON), values)
