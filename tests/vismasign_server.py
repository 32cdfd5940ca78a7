"""The Visma Sign sandbox served over real HTTP on loopback, for the connector's tests."""

from __future__ import annotations

import base64
import datetime as dt
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from werkzeug.serving import make_server

from consent.adapters.onnistuu import OnnistuuKey
from sandbox.vismasign.app import create_app
from tests.koski_server import _QuietHandler

CLIENT_ID = "a0d4c3f2-7b1e-4e57-9d4b-3c2a1f0e9d8c"


@dataclass(frozen=True)
class RunningVismaSign:
    """A sandbox on a free port, its credentials, and a signer's hands."""

    url: str
    key: OnnistuuKey
    secret: str

    def documents(self) -> list[dict[str, Any]]:
        answer = requests.get(f"{self.url}/sandbox/documents", timeout=10)
        listed: list[dict[str, Any]] = answer.json()["documents"]
        return listed

    def sign(self, invitation: str, as_hetu: str) -> requests.Response:
        """Log in with bank ID as ``as_hetu`` and sign (no redirects followed)."""
        page = f"{self.url}/sandbox/sign/{invitation}"
        return requests.post(page, data={"hetu": as_hetu}, timeout=10, allow_redirects=False)

    def decline(self, invitation: str) -> None:
        requests.post(f"{self.url}/sandbox/decline/{invitation}", timeout=10).raise_for_status()


@contextmanager
def running_vismasign(database: Path) -> Iterator[RunningVismaSign]:
    """Serve the sandbox in a thread until the block ends."""
    secret = base64.b64encode(os.urandom(48)).decode()
    app = create_app(database, {CLIENT_ID: secret}, now=lambda: dt.datetime.now(dt.UTC))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        yield RunningVismaSign(url, OnnistuuKey.parse(CLIENT_ID, secret), secret)
    finally:
        server.shutdown()
        thread.join()
