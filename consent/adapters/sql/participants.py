"""Participants inside a session: sealed identity, found by blind index under any key."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent.adapters.sql import purposes
from consent.adapters.sql.tables import ParticipantRow
from consent.adapters.sql.upsert import insert_new
from consent.hetu import Hetu
from consent.model import Person
from consent.ports import PiiCipher, Sealed


def find_row(session: Session, cipher: PiiCipher, hetu: Hetu) -> ParticipantRow | None:
    """The participant row for ``hetu``, whichever configured key indexed it."""
    indexes = cipher.blind_indexes(hetu.reveal(), purposes.HETU)
    query = select(ParticipantRow).where(ParticipantRow.hetu_index.in_(indexes))
    return session.execute(query).scalars().first()


def save(session: Session, cipher: PiiCipher, person: Person, now: dt.datetime) -> int:
    """Create the participant or refresh their names; safe against a concurrent insert."""
    names = seal_names(cipher, person)
    existing = find_row(session, cipher, person.hetu)
    if existing is not None:
        existing.names_key_id, existing.names_sealed = names.key_id, names.blob
        existing.updated_at = now
        return existing.id
    hetu = cipher.seal(person.hetu.reveal(), purposes.HETU)
    values = {
        "hetu_index": cipher.blind_index(person.hetu.reveal(), purposes.HETU),
        "hetu_key_id": hetu.key_id,
        "hetu_sealed": hetu.blob,
        "names_key_id": names.key_id,
        "names_sealed": names.blob,
        "created_at": now,
        "updated_at": now,
    }
    inserted = insert_new(session, ParticipantRow, values, ["hetu_index"])
    if inserted is not None:
        return inserted
    raced = find_row(session, cipher, person.hetu)  # a concurrent insert won
    assert raced is not None  # noqa: S101 - the conflict proves the row exists
    return raced.id


def load(session: Session, cipher: PiiCipher, participant_id: int) -> Person:
    """The participant's identity, opened from its sealed form."""
    return person(cipher, session.get_one(ParticipantRow, participant_id))


def person(cipher: PiiCipher, row: ParticipantRow) -> Person:
    """The identity in a participant row already read, opened from its sealed form."""
    if row.hetu_key_id is None or row.hetu_sealed is None:
        raise ValueError("participant row without a hetu")  # none are stored yet
    hetu = Hetu(cipher.open(Sealed(row.hetu_key_id, row.hetu_sealed), purposes.HETU))
    names = {"first_names": "", "last_name": ""}
    if row.names_key_id is not None and row.names_sealed is not None:
        names = json.loads(cipher.open(Sealed(row.names_key_id, row.names_sealed), purposes.NAMES))
    return Person(hetu, names["first_names"], names["last_name"])


def seal_names(cipher: PiiCipher, person: Person) -> Sealed:
    """Seal a person's names together, as one JSON value."""
    names = {"first_names": person.first_names, "last_name": person.last_name}
    return cipher.seal(json.dumps(names, ensure_ascii=False), purposes.NAMES)
