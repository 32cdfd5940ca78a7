"""Web on loopback (the signing connector posts to it) and the Visma Sign sandbox, configured
through the environment as the Procfile's processes are."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine, text
from werkzeug.serving import make_server

from consent.adapters.webhook_sender import generate_keypair
from tests.e2e.stack import SECRET, configure
from tests.signing import person
from tests.vismasign_server import CLIENT_ID, RunningVismaSign, running_vismasign
from web.app import create_app

COURSE = "eratauko-2026"
ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")


@dataclass(frozen=True)
class ConnectorStack:
    """Where things are, and a look into the ledger."""

    url: str
    visma: RunningVismaSign
    engine: Engine

    def count(self, sql: str) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(text(sql)).scalar_one())

    def consents(self) -> list[tuple[str, str | None]]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT state, signer_relation FROM consents ORDER BY id")
            )
            return [(str(state), relation) for state, relation in rows]

    def returned(self, document: str) -> int:
        """The signer's browser comes back from Visma Sign."""
        answer = requests.get(f"{self.url}/signing/return?document={document}", timeout=10)
        return answer.status_code


@contextmanager
def connector_stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str = ""
) -> Iterator[ConnectorStack]:
    """Serve web and the sandbox until the block ends (on a fresh SQLite ledger, or on the
    empty database ``database_url`` names)."""
    private, public = generate_keypair()
    with running_vismasign(tmp_path / "vismasign.db") as visma:
        web = make_server("127.0.0.1", 0, None, threaded=True)  # type: ignore[arg-type]  # set below
        url = f"http://127.0.0.1:{web.server_port}"
        engine = configure(
            monkeypatch,
            tmp_path,
            database_url,
            SIGNING_WEBHOOK_KEYS=f"{SECRET} {public}",
            SIGNING_CONNECTOR_KEY=private,
            SIGNING_CONNECTOR_WEBHOOK_URL=f"{url}/webhooks/signing",
            SIGNING_RETURN_URL=f"{url}/signing/return",
            VISMASIGN_URL=visma.url,
            VISMASIGN_CLIENT_ID=CLIENT_ID,
            VISMASIGN_SECRET=visma.secret,
        )
        web.app = create_app()
        thread = threading.Thread(target=web.serve_forever, daemon=True)
        thread.start()
        try:
            yield ConnectorStack(url, visma, engine)
        finally:
            web.shutdown()
            thread.join()
