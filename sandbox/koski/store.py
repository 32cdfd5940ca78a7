"""The sandbox's state in a SQLite file: people, study rights, tombstones and revocations.

One connection behind one lock: the sandbox is a single process, and each request is
one transaction, so its state survives restarts and concurrent calls serialise.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS henkilot (oid TEXT PRIMARY KEY, hetu TEXT UNIQUE, etunimet TEXT, sukunimi TEXT);
CREATE TABLE IF NOT EXISTS opiskeluoikeudet (
    oid TEXT PRIMARY KEY, henkilo_oid TEXT NOT NULL, lahde_id TEXT, lahdejarjestelma TEXT,
    oppilaitos TEXT NOT NULL, opintokokonaisuus TEXT, alku TEXT NOT NULL,
    versionumero INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS poistetut (oid TEXT PRIMARY KEY, lahde_id TEXT, lahdejarjestelma TEXT,
    syy TEXT NOT NULL, aikaleima TEXT NOT NULL DEFAULT (datetime('now')));
CREATE INDEX IF NOT EXISTS opiskeluoikeudet_henkilo ON opiskeluoikeudet (henkilo_oid);
CREATE INDEX IF NOT EXISTS poistetut_lahde ON poistetut (lahde_id, lahdejarjestelma);
"""


@dataclass(frozen=True)
class StoredOo:
    """A live opiskeluoikeus as the sandbox holds it."""

    oid: str
    person_oid: str
    source_id: str | None
    source_system: str | None
    oppilaitos: str
    opintokokonaisuus: str | None
    alku: str
    versionumero: int
    data: dict[str, Any]


class Store:
    """Persistent sandbox state; call methods inside :meth:`transaction`."""

    def __init__(self, path: Path | str) -> None:
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        # WAL with synchronous=NORMAL: one fsync per checkpoint, not three per request. The
        # state still survives restarts; a power cut may lose the last moments of a sandbox.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Serialise a request's reads and writes into one transaction."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def person_for_hetu(self, hetu: str, first_names: str, last_name: str) -> str:
        """The oid of the person with ``hetu``, created on first sight (as oppijanumerorekisteri)."""
        row = self._db.execute("SELECT oid FROM henkilot WHERE hetu = ?", (hetu,)).fetchone()
        if row is not None:
            return str(row[0])
        oid = self._free_person_oid()
        self._db.execute(
            "INSERT INTO henkilot VALUES (?, ?, ?, ?)", (oid, hetu, first_names, last_name)
        )
        return oid

    def new_person(self, first_names: str, last_name: str) -> str:
        """A person without a hetu, as oppijanumerorekisteri creates one on an official's
        word: the new oid."""
        oid = self._free_person_oid()
        self._db.execute(
            "INSERT INTO henkilot VALUES (?, NULL, ?, ?)", (oid, first_names, last_name)
        )
        return oid

    def _free_person_oid(self) -> str:
        """A new person oid no one holds: with a hundred thousand people, ten random digits
        hit one of theirs about once in 100,000 draws, so one taken is drawn again."""
        while True:
            oid = _new_oid("24")
            if not self.person_exists(oid):
                return oid

    def person_exists(self, oid: str) -> bool:
        """True if a person with this oid is known."""
        return (
            self._db.execute("SELECT 1 FROM henkilot WHERE oid = ?", (oid,)).fetchone() is not None
        )

    def by_oid(self, oid: str) -> StoredOo | None:
        """The live opiskeluoikeus with this oid."""
        row = self._db.execute("SELECT * FROM opiskeluoikeudet WHERE oid = ?", (oid,)).fetchone()
        return None if row is None else _stored(row)

    def by_source(
        self, person_oid: str, source_id: str, system: str, oppilaitos: str
    ) -> list[StoredOo]:
        """Live opiskeluoikeudet of this person with this lähdejärjestelmänId and oppilaitos."""
        rows = self._db.execute(
            "SELECT * FROM opiskeluoikeudet WHERE henkilo_oid = ? AND lahde_id = ? "
            "AND lahdejarjestelma = ? AND oppilaitos = ?",
            (person_oid, source_id, system, oppilaitos),
        ).fetchall()
        return [_stored(r) for r in rows]

    def overlapping(self, oo: StoredOo) -> bool:
        """G9: another live oo of the person, same oppilaitos and opintokokonaisuus, same day."""
        row = self._db.execute(
            "SELECT 1 FROM opiskeluoikeudet WHERE henkilo_oid = ? AND oppilaitos = ? "
            "AND opintokokonaisuus IS ? AND alku = ? AND oid != ?",
            (oo.person_oid, oo.oppilaitos, oo.opintokokonaisuus, oo.alku, oo.oid),
        ).fetchone()
        return row is not None

    def save(self, oo: StoredOo) -> None:
        """Insert or replace a live opiskeluoikeus."""
        self._db.execute(
            "INSERT OR REPLACE INTO opiskeluoikeudet VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                oo.oid,
                oo.person_oid,
                oo.source_id,
                oo.source_system,
                oo.oppilaitos,
                oo.opintokokonaisuus,
                oo.alku,
                oo.versionumero,
                json.dumps(oo.data, ensure_ascii=False),
            ),
        )

    def delete(self, oo: StoredOo, reason: str) -> None:
        """Physically delete (VST vapaatavoitteinen), leaving only a tombstone with the reason."""
        self._db.execute("DELETE FROM opiskeluoikeudet WHERE oid = ?", (oo.oid,))
        self._db.execute(
            "INSERT OR REPLACE INTO poistetut (oid, lahde_id, lahdejarjestelma, syy) VALUES (?, ?, ?, ?)",
            (oo.oid, oo.source_id, oo.source_system, reason),
        )

    def consent_revoked(self, source_id: str, system: str) -> bool:
        """G12: a consent was revoked for a study right with this lähdejärjestelmänId."""
        row = self._db.execute(
            "SELECT 1 FROM poistetut WHERE lahde_id = ? AND lahdejarjestelma = ? AND syy = 'suostumus peruttu'",
            (source_id, system),
        ).fetchone()
        return row is not None

    def live(self) -> list[StoredOo]:
        """Every live opiskeluoikeus, oldest first."""
        return [
            _stored(r) for r in self._db.execute("SELECT * FROM opiskeluoikeudet ORDER BY rowid")
        ]

    def tombstones(self) -> list[dict[str, str]]:
        """Every deleted study right: oid, lähdejärjestelmänId, reason, time."""
        rows = self._db.execute(
            "SELECT oid, lahde_id, lahdejarjestelma, syy, aikaleima FROM poistetut"
        )
        keys = ("oid", "lähdejärjestelmänId", "lähdejärjestelmä", "syy", "aikaleima")
        return [dict(zip(keys, row, strict=True)) for row in rows]


def _stored(row: tuple[Any, ...]) -> StoredOo:
    return StoredOo(
        row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], json.loads(row[8])
    )


def _new_oid(node: str) -> str:
    """An OID on ``node`` with OPH's check digit (Luhn; IBM 7-3-1 for people, node 24)."""
    body = f"{secrets.randbelow(10**10):010d}"
    digits = [int(d) for d in body]
    if node == "24":
        check = (
            10 - sum(d * w for d, w in zip(reversed(digits), [7, 3, 1] * 4, strict=False)) % 10
        ) % 10
    else:
        check = _luhn(digits)
    return f"1.2.246.562.{node}.{body}{check}"


def _luhn(digits: list[int]) -> int:
    total = 0
    for i, d in enumerate(reversed(digits)):
        doubled = d * 2 if i % 2 == 0 else d
        total += doubled - 9 if doubled > 9 else doubled
    return (10 - total % 10) % 10


def new_oo_oid() -> str:
    """A fresh opiskeluoikeus oid (node 15)."""
    return _new_oid("15")
