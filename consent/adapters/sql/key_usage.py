"""Counting what each PII key holds, for ``vst-consent keys status``.

Sealed values are counted by the key id stored beside them. A blind index does not say which
key made it, so its value is opened and its index computed under each configured key and
compared: an entry none of them made (or whose value no longer opens) is one a lookup can no
longer find. Reads in chunks; nothing is written.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Engine, func, select

from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.sealed_columns import SEALED_TABLES, BlindIndex, SealedTable
from consent.errors import TamperedCiphertext
from consent.key_usage import ColumnKeys, KeyUsage
from consent.ports import Sealed

_CHUNK = 1000


class SqlKeyUsage:
    """What each key holds in the ledger, read under a configured key ring."""

    def __init__(self, engine: Engine, cipher: AesGcmCipher) -> None:
        self._engine = engine
        self._cipher = cipher

    def usage(self) -> KeyUsage:
        """Counts by key id of every sealed column and blind index; shared hetus counted."""
        sealed, indexes, shared = [], [], 0
        with self._engine.connect() as connection:
            for spec in SEALED_TABLES:
                for column in spec.sealed:
                    key_id = spec.column(column.key_id)
                    query = select(key_id, func.count()).where(key_id.is_not(None)).group_by(key_id)
                    counts = {str(key): int(n) for key, n in connection.execute(query)}
                    sealed.append(ColumnKeys(column.name, counts))
                for index in spec.indexes:
                    counted, holders = self._index_keys(spec, index)
                    indexes.append(counted)
                    if index.unique:
                        shared += sum(n for n in holders.values() if n > 1)
        return KeyUsage(self._cipher.key_ids, tuple(sealed), tuple(indexes), shared)

    def _index_keys(self, spec: SealedTable, index: BlindIndex) -> tuple[ColumnKeys, Counter[str]]:
        """The index's entries by the key that made them, and how many rows hold each hetu
        (by its index under the current key)."""
        column = spec.column(index.column)
        query = select(
            column, spec.column(index.source.key_id), spec.column(index.source.blob)
        ).where(column.is_not(None))
        by_key: Counter[str] = Counter()
        holders: Counter[str] = Counter()
        unidentified = 0
        with self._engine.connect().execution_options(yield_per=_CHUNK) as stream:
            for entry, key_id, blob in stream.execute(query):
                hetu = self._hetu(index, key_id, blob)
                made_by = (
                    None if hetu is None else self._cipher.index_key_id(hetu, index.purpose, entry)
                )
                if hetu is None or made_by is None:
                    unidentified += 1
                    continue
                by_key[made_by] += 1
                holders[self._cipher.blind_index(hetu, index.purpose)] += 1
        return ColumnKeys(index.name, dict(by_key), unidentified), holders

    def _hetu(self, index: BlindIndex, key_id: str | None, blob: bytes | None) -> str | None:
        if key_id is None or blob is None:
            return None
        try:
            return index.hetu_of(
                self._cipher.open_bytes(Sealed(key_id, blob), index.source.purpose)
            )
        except TamperedCiphertext:
            return None
