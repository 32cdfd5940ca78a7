"""Sealing every value again under the current PII key, for ``vst-consent keys rewrap``.

Rows are taken a batch at a time by what they still hold under an older configured key, each
batch in a transaction of its own: a run killed midway has lost nothing and the next one
carries on where it stopped, and a run with nothing left to do changes nothing. It runs
while the web and the workers do: on PostgreSQL a batch locks its rows and passes over rows
another transaction holds (``FOR UPDATE SKIP LOCKED``; a later pass takes them), and on
every backend each row's update is guarded by the values it read, so a concurrent change
is never overwritten. A blind index is rebuilt with the value it is made from. Values under
a key that is not configured cannot be opened and are left alone (``keys status`` counts
them).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    Select,
    bindparam,
    false,
    func,
    insert,
    or_,
    select,
    update,
)

from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.audit import audit_values
from consent.adapters.sql.sealed_columns import SEALED_TABLES, SealedTable
from consent.adapters.sql.tables import AuditRow
from consent.errors import TamperedCiphertext
from consent.key_usage import RewrapReport
from consent.model import AuditEntry
from consent.ports import Clock, Sealed

BATCH_SIZE: Final = 300
_PASSES: Final = 5  # a pass takes what the one before passed over (locked, changed meanwhile)
_PASS_WAIT: Final = 0.2  # seconds, times the passes made

Progress = Callable[[str, int], None]
"""Told after each batch: a table's name and how many of its rows were sealed again so far."""


@dataclass
class _Tally:
    """One table's counts in one pass."""

    rewrapped: int = 0
    unopened: int = 0
    shared: int = 0
    last: Any = None  # the id the next batch starts after


@dataclass
class _Change:
    """One row's new sealed values (and indexes), guarded by the values it was read with."""

    row_id: Any
    values: dict[str, Any] = field(default_factory=dict)
    guard: dict[str, Any] = field(default_factory=dict)


class SqlRewrap:
    """Moves the ledger's sealed values and blind indexes to the cipher's current key."""

    def __init__(self, engine: Engine, cipher: AesGcmCipher, clock: Clock) -> None:
        self._engine = engine
        self._cipher = cipher
        self._clock = clock
        self._old = cipher.key_ids[1:]

    def waiting(self) -> dict[str, int]:
        """By table, the rows holding a value under an older configured key."""
        with self._engine.connect() as connection:
            return {
                spec.name: connection.execute(
                    select(func.count()).select_from(spec.table).where(self._under_old(spec))
                ).scalar_one()
                for spec in SEALED_TABLES
            }

    def run(
        self, actor: str, *, batch_size: int = BATCH_SIZE, pause: float = 0.0, progress: Progress
    ) -> RewrapReport:
        """Seal again every row of every table that holds a value under an older key, a
        batch at a time with ``pause`` seconds between batches; audited when it starts and
        when it ends (counts by table only). With nothing waiting, nothing is written."""
        waiting = {name: n for name, n in self.waiting().items() if n}
        current = self._cipher.current_key_id
        if not waiting:
            return RewrapReport(current, {})
        self._audit(actor, "pii_rewrap_started", {"key_id": current, "waiting": waiting})
        tallies = {
            spec.name: self._table(spec, batch_size, pause, progress) for spec in SEALED_TABLES
        }
        report = RewrapReport(
            current,
            {name: t.rewrapped for name, t in tallies.items() if t.rewrapped},
            {name: t.unopened for name, t in tallies.items() if t.unopened},
            {name: t.shared for name, t in tallies.items() if t.shared},
            {name: n for name, n in self.waiting().items() if n},
        )
        details = {"key_id": current, "rewrapped": dict(report.rewrapped)}
        details |= {"unopened": dict(report.unopened), "shared": dict(report.shared)}
        details["remaining"] = dict(report.remaining)
        self._audit(actor, "pii_rewrapped", details)
        return report

    def _table(self, spec: SealedTable, size: int, pause: float, progress: Progress) -> _Tally:
        """Passes over the table until one seals nothing again; the counts of the last pass,
        with every pass's rows sealed again."""
        done = 0
        for passed in range(_PASSES):
            time.sleep(_PASS_WAIT * passed)  # let a transaction holding a row end
            tally = _Tally()
            while (batch := self._batch(spec, tally.last, size)) is not None:
                tally.rewrapped += batch.rewrapped
                tally.unopened += batch.unopened
                tally.shared += batch.shared
                tally.last = batch.last
                progress(spec.name, done + tally.rewrapped)
                if pause:
                    time.sleep(pause)
            done += tally.rewrapped
            if not tally.rewrapped:
                break
        tally.rewrapped = done
        return tally

    def _batch(self, spec: SealedTable, after: Any, size: int) -> _Tally | None:
        """Seal one batch of rows again in one transaction; None when no row is left."""
        with self._engine.begin() as connection:
            rows = connection.execute(self._select(spec, after, size)).all()
            if not rows:
                return None
            tally = _Tally(last=rows[-1].id)
            changes = []
            for row in rows:
                change = self._reseal(spec, row)
                if change is None:
                    tally.unopened += 1
                else:
                    changes.append(change)
            kept = self._unshared(connection, spec, changes)
            tally.shared = len(changes) - len(kept)
            tally.rewrapped = self._update(connection, spec, kept)
            return tally

    def _under_old(self, spec: SealedTable) -> Any:
        if not self._old:  # one key configured: nothing is under an older one
            return false()
        return or_(*(spec.column(c.key_id).in_(self._old) for c in spec.sealed))

    def _select(self, spec: SealedTable, after: Any, size: int) -> Select[Any]:
        columns = [spec.column(name) for c in spec.sealed for name in (c.key_id, c.blob)]
        query = (
            select(spec.column("id"), *columns)
            .where(self._under_old(spec))
            .order_by(spec.column("id"))
            .limit(size)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has no row locks
        )
        return query if after is None else query.where(spec.column("id") > after)

    def _reseal(self, spec: SealedTable, row: Row[Any]) -> _Change | None:
        """The row's values under the current key; None if one fails to open."""
        change, opened = _Change(row.id), {}
        for column in spec.sealed:
            key_id, blob = row._mapping[column.key_id], row._mapping[column.blob]
            if key_id not in self._old:
                continue
            try:
                value = self._cipher.open_bytes(Sealed(key_id, blob), column.purpose)
            except TamperedCiphertext:
                return None
            sealed = self._cipher.seal_bytes(value, column.purpose)
            change.values |= {column.key_id: sealed.key_id, column.blob: sealed.blob}
            change.guard |= {column.key_id: key_id, column.blob: blob}
            opened[column.name] = value
        for index in spec.indexes:
            if index.source.name in opened:
                hetu = index.hetu_of(opened[index.source.name])
                if hetu is not None:  # a guardian known by name only has no index
                    change.values[index.column] = self._cipher.blind_index(hetu, index.purpose)
        return change

    def _unshared(
        self, connection: Connection, spec: SealedTable, changes: Sequence[_Change]
    ) -> list[_Change]:
        """The changes whose new unique index no other row holds: two rows of one hetu
        (made when processes sealed under different keys) must be merged by hand."""
        kept = changes
        for index in (i for i in spec.indexes if i.unique):
            new = {c.values[index.column]: c.row_id for c in kept if index.column in c.values}
            column = spec.column(index.column)
            held = connection.execute(
                select(column, spec.column("id")).where(column.in_(list(new)))
            ).all()
            taken = {entry for entry, row_id in held if new[entry] != row_id}
            seen: set[str] = set()
            kept = [c for c in kept if _claims(c, index.column, taken, seen)]
        return list(kept)

    def _update(self, connection: Connection, spec: SealedTable, changes: list[_Change]) -> int:
        """Write the changes, one statement for each set of columns changed (executed many
        times over); how many rows still held what they were read with, and were written."""
        groups: dict[tuple[tuple[str, ...], tuple[str, ...]], list[_Change]] = {}
        for change in changes:
            groups.setdefault((tuple(change.values), tuple(change.guard)), []).append(change)
        updated = 0
        for (columns, guarded), group in groups.items():
            statement = (
                update(spec.table)
                .where(spec.column("id") == bindparam("_id"))
                .where(*(spec.column(name) == bindparam(f"_was_{name}") for name in guarded))
                .values({name: bindparam(f"_new_{name}") for name in columns})
            )
            parameters = [_parameters(change) for change in group]
            updated += connection.execute(statement, parameters).rowcount
        return updated

    def _audit(self, actor: str, action: str, details: dict[str, Any]) -> None:
        entry = AuditEntry(actor, action, "pii_key", None, details)
        with self._engine.begin() as connection:
            connection.execute(insert(AuditRow), audit_values(entry, self._clock))


def _parameters(change: _Change) -> dict[str, Any]:
    return (
        {"_id": change.row_id}
        | {f"_was_{name}": value for name, value in change.guard.items()}
        | {f"_new_{name}": value for name, value in change.values.items()}
    )


def _claims(change: _Change, column: str, taken: set[str], seen: set[str]) -> bool:
    """Whether ``change`` may take its new index: no other row holds it, and no earlier
    change of this batch takes it."""
    entry = change.values.get(column)
    if entry is None:
        return True
    if entry in taken or entry in seen:
        return False
    seen.add(entry)
    return True
