"""Which PII key holds what: the read model of ``vst-consent keys status`` and the rules for
retiring a key.

Every sealed value is stored beside the id of the key that sealed it, and every blind index
was made by one key. A key may be removed from ``PII_KEY`` once it holds nothing: until then
its values would no longer open and its indexes would no longer be found. Only counts and key
ids live here, never a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ColumnKeys:
    """How many values of one sealed column, or entries of one blind index, each key id holds.

    ``unidentified`` counts index entries made by none of the configured keys (or whose
    value cannot be opened to tell); sealed values name their key, so theirs is always 0."""

    column: str
    by_key: Mapping[str, int] = field(default_factory=dict)
    unidentified: int = 0

    def total(self) -> int:
        """Every value or entry of the column."""
        return sum(self.by_key.values()) + self.unidentified


@dataclass(frozen=True)
class KeyUsage:
    """What each key holds across the ledger, for the configured key ring (current first)."""

    configured: tuple[str, ...]
    sealed: tuple[ColumnKeys, ...]
    indexes: tuple[ColumnKeys, ...]
    shared_hetus: int = 0  # participants whose hetu another participant row also holds

    @property
    def current(self) -> str:
        """The key that seals and indexes new values."""
        return self.configured[0]

    def columns(self) -> tuple[ColumnKeys, ...]:
        """Sealed columns, then blind indexes."""
        return self.sealed + self.indexes

    def waiting(self) -> int:
        """Values and entries under a configured key that is not the current one: what
        ``keys rewrap`` moves to the current key."""
        old = set(self.configured[1:])
        return sum(n for c in self.columns() for key, n in c.by_key.items() if key in old)

    def unreadable(self) -> dict[str, int]:
        """By column, values under a key id that is not configured at all, and index
        entries no configured key made: these open (or are found) no more."""
        found = {}
        for column in self.columns():
            lost = column.unidentified + sum(
                n for key, n in column.by_key.items() if key not in self.configured
            )
            if lost:
                found[column.column] = lost
        return found

    def unused_keys(self) -> tuple[str, ...]:
        """Configured keys, other than the current one, that hold nothing: they may be
        removed from ``PII_KEY``."""
        used = {key for c in self.columns() for key, n in c.by_key.items() if n}
        return tuple(key for key in self.configured[1:] if key not in used)

    def settled(self) -> bool:
        """Everything is under the current key, and every index entry is found."""
        return not self.waiting() and not self.unreadable() and not self.shared_hetus


@dataclass(frozen=True)
class RewrapReport:
    """What one ``keys rewrap`` run did, by table: rows whose values it sealed again (and
    whose indexes it rebuilt) under ``key_id``, rows it had to leave and why, and the rows
    still under an older key when it ended."""

    key_id: str
    rewrapped: Mapping[str, int]
    unopened: Mapping[str, int] = field(default_factory=dict)  # failed authentication
    shared: Mapping[str, int] = field(default_factory=dict)  # another row holds the new index
    remaining: Mapping[str, int] = field(default_factory=dict)

    def total(self) -> int:
        """Rows sealed again in every table."""
        return sum(self.rewrapped.values())

    def left(self) -> int:
        """Rows still under an older key: left, in use by another transaction throughout,
        or written under an older key meanwhile (by a process not yet sealing with the
        current one)."""
        return sum(self.remaining.values())
