"""The processes of an e2e test, configured through the environment as the Procfile runs them."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest
import requests
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from werkzeug.test import TestResponse

from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.migrate import upgrade
from tests.conftest import REDIS_URL
from tests.net import free_port
from tests.signing import body_of, hmac_secret, signed_headers

ROOT = Path(__file__).resolve().parents[2]
SECRET = hmac_secret()


def configure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str = "", **extra: str
) -> Engine:
    """Point web and worker at a migrated ledger and the test Redis.

    The ledger is a fresh SQLite file unless ``database_url`` names an empty database."""
    database_url = database_url or f"sqlite:///{tmp_path / 'ledger.db'}"
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "SIGNING_WEBHOOK_KEYS": SECRET,
        **extra,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    engine = make_engine(database_url)
    upgrade(engine)
    return engine


def post_signed(
    client: FlaskClient, document: dict[str, object], webhook_id: str, at: dt.datetime | None = None
) -> int:
    """Sign a consent event as the signing service does and post it; the status code."""
    status: int = send_signed(client, document, webhook_id, at).status_code
    return status


def send_signed(
    client: FlaskClient, document: dict[str, object], webhook_id: str, at: dt.datetime | None = None
) -> TestResponse:
    """Sign a consent event as the signing service does and post it; the whole answer."""
    body = body_of(document)
    timestamp = int((at or dt.datetime.now(dt.UTC)).timestamp())
    headers = signed_headers(SECRET, webhook_id, timestamp, body)
    return client.post(
        "/webhooks/signing", data=body, headers=headers, content_type="application/json"
    )


def inbox_rows(engine: Engine) -> int:
    """How many deliveries the webhook stored."""
    with engine.connect() as connection:
        count: int = connection.execute(text("SELECT COUNT(*) FROM webhook_inbox")).scalar_one()
        return count


def procfile_command(name: str) -> str:
    """The command the Procfile gives process ``name``, as honcho runs it (through a shell)."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        process, _, command = line.partition(":")
        if process.strip() == name:
            return command.strip()
    raise AssertionError(f"the Procfile has no {name} process")


@contextmanager
def procfile_web(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str = "", **extra: str
) -> Iterator[tuple[str, Engine]]:
    """The Procfile's ``web`` on a free port with a migrated SQLite ledger (or the empty
    database ``database_url`` names; ``extra`` more environment), until the block ends; its
    base URL and the ledger. Its output goes to ``web.log`` in ``tmp_path``."""
    engine = configure(monkeypatch, tmp_path, database_url, **extra)
    port = free_port()
    with (tmp_path / "web.log").open("ab") as log:
        process = _start_web(port, tmp_path, log)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_healthy(base, process)
            yield base, engine
        finally:
            _stop(process)
            engine.dispose()


@contextmanager
def procfile_dashboard(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[int]:
    """The Procfile's ``dashboard`` on a free port (its bind rewritten) with a migrated
    SQLite ledger, until the block ends; its port. Output goes to ``dashboard.log``."""
    engine = configure(monkeypatch, tmp_path)
    port = free_port()
    command = procfile_command("dashboard").replace("127.0.0.1:9181", f"127.0.0.1:{port}")
    with (tmp_path / "dashboard.log").open("wb") as log:
        process = _start_web(port, tmp_path, log, command)
        try:
            _wait_until_healthy(f"http://127.0.0.1:{port}", process, "/rq/", 401)
            yield port
        finally:
            _stop(process)
            engine.dispose()


def _start_web(
    port: int, home: Path, log: IO[bytes], command: str | None = None
) -> subprocess.Popen[bytes]:
    """Run the Procfile's ``web`` line (or ``command``) as honcho does, in a process group
    of its own."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {**os.environ, "PORT": str(port), "PATH": path, "HOME": str(home)}
    env.pop("XDG_RUNTIME_DIR", None)  # a control socket, if any, lands under this test's HOME
    return subprocess.Popen(
        ["sh", "-c", command or procfile_command("web")],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait_until_healthy(
    base: str, process: subprocess.Popen[bytes], path: str = "/healthz", status: int = 200
) -> None:
    """Returns as soon as ``path`` answers ``status`` (two minutes at most: cold imports on a
    busy day of the shared machine are slow)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "the process exited while starting"
        try:
            if requests.get(f"{base}{path}", timeout=2).status_code == status:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError("the web process did not start")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the whole group (the shell, gunicorn and its workers); SIGKILL after 60 s."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
