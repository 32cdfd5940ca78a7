"""Every sealed column of the ledger and every blind index made from one: what ``keys status``
counts and ``keys rewrap`` seals again. A new sealed column must be added here, or retiring
a key would leave its values behind (a test compares this list with the tables)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Column, Table

from consent.adapters.sql import purposes
from consent.adapters.sql.tables import (
    ConsentRow,
    EnrolmentRow,
    InboxRow,
    ParticipantRow,
    PendingImportRow,
)


@dataclass(frozen=True)
class SealedColumn:
    """A sealed value: its key id column and its blob column, sealed for ``purpose``."""

    name: str  # as shown: ``participants.hetu``
    key_id: str
    blob: str
    purpose: str


@dataclass(frozen=True)
class BlindIndex:
    """An index column made from a sealed value: the hetu ``hetu_of`` reads from it, indexed
    for ``purpose``. ``unique`` indexes identify a row (no two rows may share an entry)."""

    name: str
    column: str
    source: SealedColumn
    hetu_of: Callable[[bytes], str | None]  # None: the value has nothing to index
    purpose: str
    unique: bool


@dataclass(frozen=True)
class SealedTable:
    """A table holding sealed values, and the blind indexes made from them."""

    row: type[Any]
    sealed: tuple[SealedColumn, ...]
    indexes: tuple[BlindIndex, ...] = ()

    @property
    def table(self) -> Table:
        """The Core table, for statements over many rows."""
        table: Table = self.row.__table__
        return table

    @property
    def name(self) -> str:
        """The table's name, as progress and the audit show it."""
        return self.table.name

    def column(self, name: str) -> Column[Any]:
        """One of the table's columns by name."""
        return self.table.c[name]


def _plain(value: bytes) -> str:
    return value.decode()


def _signer_hetu(value: bytes) -> str | None:
    """The signer's hetu; None for a guardian staff recorded by name only."""
    hetu: str | None = json.loads(value).get("hetu")
    return hetu


_HETU = SealedColumn("participants.hetu", "hetu_key_id", "hetu_sealed", purposes.HETU)
_OID = SealedColumn("participants.oid", "oid_key_id", "oid_sealed", purposes.OID)
_BIRTH_DATE = SealedColumn(
    "participants.birth_date", "birth_date_key_id", "birth_date_sealed", purposes.BIRTH_DATE
)
_SIGNER = SealedColumn("consents.signer", "signer_key_id", "signer_sealed", purposes.SIGNER)

SEALED_TABLES: Final = (
    SealedTable(
        InboxRow,
        (SealedColumn("webhook_inbox.body", "body_key_id", "body_sealed", purposes.INBOX_BODY),),
    ),
    SealedTable(
        ParticipantRow,
        (
            _HETU,
            SealedColumn("participants.names", "names_key_id", "names_sealed", purposes.NAMES),
            _OID,
            _BIRTH_DATE,
        ),
        (
            BlindIndex("participants.hetu_index", "hetu_index", _HETU, _plain, purposes.HETU, True),
            BlindIndex("participants.oid_index", "oid_index", _OID, _plain, purposes.OID, True),
        ),
    ),
    SealedTable(
        ConsentRow,
        (_SIGNER, SealedColumn("consents.pdf", "pdf_key_id", "pdf_sealed", purposes.CONSENT_PDF)),
        (
            BlindIndex(
                "consents.signer_index", "signer_index", _SIGNER, _signer_hetu, purposes.HETU, False
            ),
        ),
    ),
    SealedTable(
        PendingImportRow,
        (
            SealedColumn(
                "pending_imports.content", "key_id", "content_sealed", purposes.PENDING_IMPORT
            ),
        ),
    ),
    SealedTable(
        EnrolmentRow,
        (
            SealedColumn(
                "enrolments.contact", "contact_key_id", "contact_sealed", purposes.CONTACT
            ),
            SealedColumn("enrolments.pdf", "pdf_key_id", "pdf_sealed", purposes.SIGNED_PDF),
        ),
    ),
)
