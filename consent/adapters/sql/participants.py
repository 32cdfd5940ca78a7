"""Participants inside a session: sealed identity, found by blind index under any key.

A participant is identified by a hetu or, without one, by an oppijanumero (oid), each found
by its own blind index; an oid person's birth date is sealed beside the oid."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
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


def find_ids(
    session: Session, cipher: PiiCipher, people: Sequence[Hetu | Oppijanumero]
) -> list[int | None]:
    """Each person's participant row id, None for one who has no row: by hetu or oid, under
    any configured key, in one statement (for a chunk of an import, a thousand people)."""
    by_index: dict[tuple[str, str], int] = {}
    for n, who in enumerate(people):
        column, purpose = _index_of(who)
        for index in cipher.blind_indexes(who.reveal(), purpose):
            by_index[column.key, index] = n
    found: list[int | None] = [None] * len(people)
    if not by_index:
        return found
    hetus = [index for column, index in by_index if column == "hetu_index"]
    oids = [index for column, index in by_index if column == "oid_index"]
    query = select(ParticipantRow.id, ParticipantRow.hetu_index, ParticipantRow.oid_index).where(
        ParticipantRow.hetu_index.in_(hetus) | ParticipantRow.oid_index.in_(oids)
    )
    for row_id, hetu_index, oid_index in session.execute(query):
        key = ("hetu_index", hetu_index) if hetu_index is not None else ("oid_index", oid_index)
        if key in by_index:
            found[by_index[key]] = row_id
    return found


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


def save_all(
    connection: Connection, cipher: PiiCipher, people: dict[str, Person], now: dt.datetime
) -> tuple[dict[str, int], dict[str, int]]:
    """Create the people (by hetu) who have no row and refresh the names of those who have,
    as :func:`save` does one by one, in up to three statements however many they are: one
    finds them, one inserts those missing, one refreshes the others' names (a fourth finds
    any a concurrent transaction inserted first). Their row ids by hetu: those found, and
    those created."""
    found = _found(connection, cipher, people)
    created = _create(connection, cipher, people, found, now)
    missing = set(people) - found.keys() - created.keys()
    found |= _found(connection, cipher, {hetu: people[hetu] for hetu in missing})
    _refresh_names(connection, cipher, people, found, now)
    return found, created


def create_all(
    connection: Connection, cipher: PiiCipher, people: dict[str, Person], now: dt.datetime
) -> dict[str, int]:
    """Create the people (by hetu), none of whom had a row just now, in one statement; their
    row ids by hetu. One a concurrent transaction created first is found (its names left
    as they are, as :func:`save` leaves them)."""
    created = _create(connection, cipher, people, {}, now)
    raced = {hetu: people[hetu] for hetu in people.keys() - created.keys()}
    return created | _found(connection, cipher, raced)


# Built once, values as parameters.
_NAMES = (
    update(ParticipantRow)
    .where(ParticipantRow.id == bindparam("b_id"))
    .values(
        names_key_id=bindparam("b_key_id"),
        names_sealed=bindparam("b_blob"),
        updated_at=bindparam("b_at"),
    )
)

_PARTICIPANTS = select(ParticipantRow.id, ParticipantRow.hetu_index).where(
    ParticipantRow.hetu_index.in_(bindparam("b_indexes", expanding=True))
)


def _found(connection: Connection, cipher: PiiCipher, people: dict[str, Person]) -> dict[str, int]:
    """The row ids of the people who have one, by their hetu (indexed under any key)."""
    if not people:
        return {}
    by_index = {
        index: hetu for hetu in people for index in cipher.blind_indexes(hetu, purposes.HETU)
    }
    found = connection.execute(_PARTICIPANTS, {"b_indexes": list(by_index)})
    return {by_index[str(row.hetu_index)]: row.id for row in found}


def _create(
    connection: Connection,
    cipher: PiiCipher,
    people: dict[str, Person],
    found: dict[str, int],
    now: dt.datetime,
) -> dict[str, int]:
    """Insert the people who have no row yet, in one statement; the ids of those inserted
    (one a concurrent transaction inserted first is left out)."""
    rows, hetus = [], {}
    for hetu, person in people.items():
        if hetu in found:
            continue
        index = cipher.blind_index(hetu, purposes.HETU)
        sealed, names = cipher.seal(hetu, purposes.HETU), seal_names(cipher, person)
        hetus[index] = hetu
        rows.append(
            {
                "hetu_index": index,
                "hetu_key_id": sealed.key_id,
                "hetu_sealed": sealed.blob,
                "names_key_id": names.key_id,
                "names_sealed": names.blob,
                "created_at": now,
                "updated_at": now,
            }
        )
    if not rows:
        return {}
    inserted = connection.execute(_insert_new(connection.dialect.name), rows)
    return {hetus[str(row.hetu_index)]: row.id for row in inserted}


@cache
def _insert_new(dialect_name: str) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING id, hetu_index``, built once a dialect."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return (
        dialect.insert(ParticipantRow)
        .on_conflict_do_nothing()
        .returning(ParticipantRow.id, ParticipantRow.hetu_index)
    )


def _refresh_names(
    connection: Connection,
    cipher: PiiCipher,
    people: dict[str, Person],
    found: dict[str, int],
    now: dt.datetime,
) -> None:
    """Seal anew the names of the people found (one statement for all)."""
    if not found:
        return
    names: list[dict[str, Any]] = []
    for hetu, participant_id in found.items():
        sealed = seal_names(cipher, people[hetu])
        names.append(
            {"b_id": participant_id, "b_key_id": sealed.key_id, "b_blob": sealed.blob, "b_at": now}
        )
    connection.execute(_NAMES, names)
