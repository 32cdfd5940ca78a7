"""Participants inside a session: sealed identity, found by blind index under any key.

A participant is identified by a hetu or, without one, by an oppijanumero (oid), each found
by its own blind index; an oid person's birth date is sealed beside the oid."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from consent.adapters.sql import purposes
from consent.adapters.sql.tables import ParticipantRow
from consent.adapters.sql.upsert import insert_new
from consent.hetu import Hetu
from consent.model import OidPerson, Participant, Person
from consent.oppijanumero import Oppijanumero
from consent.ports import PiiCipher, Sealed


def find_row(
    session: Session, cipher: PiiCipher, who: Hetu | Oppijanumero
) -> ParticipantRow | None:
    """The participant row for a hetu or an oid, whichever configured key indexed it."""
    column, purpose = _index_of(who)
    query = select(ParticipantRow).where(column.in_(cipher.blind_indexes(who.reveal(), purpose)))
    return session.execute(query).scalars().first()


def identifier(participant: Participant) -> Hetu | Oppijanumero:
    """What a participant is found by: their hetu, or their oid."""
    return participant.hetu if isinstance(participant, Person) else participant.oid


def save(session: Session, cipher: PiiCipher, person: Participant, now: dt.datetime) -> int:
    """Create the participant or refresh their names; safe against a concurrent insert."""
    names = seal_names(cipher, person)
    who = identifier(person)
    existing = find_row(session, cipher, who)
    if existing is not None:
        existing.names_key_id, existing.names_sealed = names.key_id, names.blob
        existing.updated_at = now
        return existing.id
    values = _identity_values(cipher, person) | {
        "names_key_id": names.key_id,
        "names_sealed": names.blob,
        "created_at": now,
        "updated_at": now,
    }
    column, _ = _index_of(who)
    inserted = insert_new(session, ParticipantRow, values, [column.key])
    if inserted is not None:
        return inserted
    raced = find_row(session, cipher, who)  # a concurrent insert won
    assert raced is not None  # noqa: S101 - the conflict proves the row exists
    return raced.id


def load(session: Session, cipher: PiiCipher, participant_id: int) -> Participant:
    """The participant's identity, opened from its sealed form."""
    return person(cipher, session.get_one(ParticipantRow, participant_id))


def load_person(session: Session, cipher: PiiCipher, participant_id: int) -> Person:
    """A participant known to have a hetu (an enrolment's, signing with bank ID)."""
    found = load(session, cipher, participant_id)
    if not isinstance(found, Person):
        raise ValueError(f"participant {participant_id} has no hetu")
    return found


def person(cipher: PiiCipher, row: ParticipantRow) -> Participant:
    """The identity in a participant row already read, opened from its sealed form."""
    names = {"first_names": "", "last_name": ""}
    if row.names_key_id is not None and row.names_sealed is not None:
        names = json.loads(cipher.open(Sealed(row.names_key_id, row.names_sealed), purposes.NAMES))
    if row.hetu_key_id is not None and row.hetu_sealed is not None:
        hetu = Hetu(cipher.open(Sealed(row.hetu_key_id, row.hetu_sealed), purposes.HETU))
        return Person(hetu, names["first_names"], names["last_name"])
    if (
        row.oid_key_id is None
        or row.oid_sealed is None
        or row.birth_date_key_id is None
        or row.birth_date_sealed is None
    ):
        raise ValueError(f"participant {row.id} has neither a hetu nor an oid")  # a CHECK forbids
    oid = Oppijanumero(cipher.open(Sealed(row.oid_key_id, row.oid_sealed), purposes.OID))
    born = cipher.open(Sealed(row.birth_date_key_id, row.birth_date_sealed), purposes.BIRTH_DATE)
    return OidPerson(oid, dt.date.fromisoformat(born), names["first_names"], names["last_name"])


def seal_names(cipher: PiiCipher, person: Participant) -> Sealed:
    """Seal a person's names together, as one JSON value."""
    names = {"first_names": person.first_names, "last_name": person.last_name}
    return cipher.seal(json.dumps(names, ensure_ascii=False), purposes.NAMES)


def _index_of(who: Hetu | Oppijanumero) -> tuple[InstrumentedAttribute[str | None], str]:
    if isinstance(who, Hetu):
        return ParticipantRow.hetu_index, purposes.HETU
    return ParticipantRow.oid_index, purposes.OID


def _identity_values(cipher: PiiCipher, person: Participant) -> dict[str, object]:
    """The identity columns of a new row: the hetu sealed and indexed, or the oid and the
    birth date."""
    if isinstance(person, Person):
        hetu = cipher.seal(person.hetu.reveal(), purposes.HETU)
        index = cipher.blind_index(person.hetu.reveal(), purposes.HETU)
        return {"hetu_index": index, "hetu_key_id": hetu.key_id, "hetu_sealed": hetu.blob}
    oid = cipher.seal(person.oid.reveal(), purposes.OID)
    born = cipher.seal(person.birth_date.isoformat(), purposes.BIRTH_DATE)
    return {
        "oid_index": cipher.blind_index(person.oid.reveal(), purposes.OID),
        "oid_key_id": oid.key_id,
        "oid_sealed": oid.blob,
        "birth_date_key_id": born.key_id,
        "birth_date_sealed": born.blob,
    }
