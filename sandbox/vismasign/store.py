"""The Visma Sign sandbox's state in a SQLite file: documents, their files and invitations.

One connection behind one lock, each call one transaction, so the state survives restarts
(a test can kill the connector and the sandbox keeps what was signed).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (uuid TEXT PRIMARY KEY, name TEXT NOT NULL,
    status TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (document TEXT NOT NULL, position INTEGER NOT NULL,
    content BLOB NOT NULL, PRIMARY KEY (document, position));
CREATE TABLE IF NOT EXISTS invitations (uuid TEXT PRIMARY KEY, document TEXT NOT NULL,
    identifier_type TEXT, identifier TEXT, email TEXT, sms TEXT, status TEXT NOT NULL,
    signed_at TEXT, return_url TEXT);
"""


class Store:
    """Persistent sandbox state."""

    def __init__(self, path: Path | str) -> None:
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()

    def _run(self, sql: str, *args: object) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def create_document(self, name: str) -> str:
        """A new document, ``new`` until it has invitations."""
        document = str(uuid.uuid4())
        self._run("INSERT INTO documents VALUES (?, ?, 'new')", document, name)
        return document

    def document(self, document: str) -> dict[str, Any] | None:
        """A document's status as ``GET /document/{uuid}`` answers it."""
        rows = self._run("SELECT * FROM documents WHERE uuid = ?", document)
        if not rows:
            return None
        files = self._run("SELECT position FROM files WHERE document = ?", document)
        invitations = self._run(
            "SELECT uuid, status FROM invitations WHERE document = ? ORDER BY rowid", document
        )
        return {
            "uuid": document,
            "name": rows[0]["name"],
            "status": rows[0]["status"],
            "files": [{"index": f["position"]} for f in files],
            "invitations": [{"uuid": i["uuid"], "status": i["status"]} for i in invitations],
        }

    def add_file(self, document: str, content: bytes) -> int:
        """Store a PDF; its index."""
        with self._lock:
            count = self._db.execute(
                "SELECT COUNT(*) FROM files WHERE document = ?", (document,)
            ).fetchone()[0]
            self._db.execute("INSERT INTO files VALUES (?, ?, ?)", (document, count, content))
        return int(count)

    def file(self, document: str, index: int) -> bytes | None:
        """A stored file's bytes."""
        rows = self._run(
            "SELECT content FROM files WHERE document = ? AND position = ?", document, index
        )
        return bytes(rows[0]["content"]) if rows else None

    def invite(self, document: str, invitation: dict[str, Any]) -> str:
        """An invitation to sign; the document is then ``pending``."""
        new = str(uuid.uuid4())
        self._run(
            "INSERT INTO invitations (uuid, document, identifier_type, identifier, email, sms,"
            " status) VALUES (?, ?, ?, ?, ?, ?, 'new')",
            new,
            document,
            invitation.get("identifier_type"),
            invitation.get("identifier"),
            invitation.get("email"),
            invitation.get("sms"),
        )
        self._run("UPDATE documents SET status = 'pending' WHERE uuid = ?", document)
        return new

    def invitation(self, invitation: str) -> dict[str, Any] | None:
        """An invitation with its document's status."""
        rows = self._run(
            "SELECT i.*, d.status AS document_status FROM invitations i"
            " JOIN documents d ON d.uuid = i.document WHERE i.uuid = ?",
            invitation,
        )
        return dict(rows[0]) if rows else None

    def set_return_url(self, invitation: str, url: str) -> None:
        """Where the signer's browser goes after signing."""
        self._run("UPDATE invitations SET return_url = ? WHERE uuid = ?", url, invitation)

    def sign(self, invitation: str, signed_at: str, signature_page: bytes) -> None:
        """Fulfil an invitation; the document is ``signed`` once all of its are."""
        found = self.invitation(invitation)
        if found is None:
            return
        self._run(
            "UPDATE invitations SET status = 'signed', signed_at = ? WHERE uuid = ?",
            signed_at,
            invitation,
        )
        open_ones = self._run(
            "SELECT 1 FROM invitations WHERE document = ? AND status != 'signed'",
            found["document"],
        )
        if not open_ones:
            original = self.file(found["document"], 0) or b""
            self._run(
                "UPDATE files SET content = ? WHERE document = ? AND position = 0",
                original + signature_page,
                found["document"],
            )
            self._run("UPDATE documents SET status = 'signed' WHERE uuid = ?", found["document"])

    def cancel(self, document: str) -> None:
        """The document and its open invitations end unsigned."""
        self._run("UPDATE documents SET status = 'cancelled' WHERE uuid = ?", document)
        self._run(
            "UPDATE invitations SET status = 'cancelled' WHERE document = ? AND status != 'signed'",
            document,
        )

    def delete(self, document: str) -> None:
        """Visma Sign keeps a deleted document's status as ``deleted``."""
        self._run("UPDATE documents SET status = 'deleted' WHERE uuid = ?", document)
        self._run("DELETE FROM files WHERE document = ?", document)

    def documents(self) -> list[dict[str, Any]]:
        """Every document, for the operator's listing."""
        rows = self._run("SELECT uuid FROM documents ORDER BY rowid")
        return [d for d in (self.document(r["uuid"]) for r in rows) if d is not None]

    @staticmethod
    def dumps(value: object) -> str:
        """JSON as the sandbox answers it."""
        return json.dumps(value, ensure_ascii=False)
