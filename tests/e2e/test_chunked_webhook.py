"""Chunked webhook bodies through the real web process, started as the Procfile starts it.

gunicorn de-chunks the body and marks the stream as ended (``wsgi.input_terminated``), so
no Content-Length reaches the app: the size limit must hold on the stream itself.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy import Engine, text

from tests.e2e.stack import SECRET, configure
from tests.net import free_port
from tests.signing import body_of, event, person, sign_v1

ROOT = Path(__file__).resolve().parents[2]
MAX_BODY = 64 * 1024
ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")


def _procfile_web() -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        process, _, command = line.partition(":")
        if process.strip() == "web":
            return command.strip()
    raise AssertionError("the Procfile has no web process")


@pytest.fixture
def web(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_client: redis.Redis
) -> Iterator[tuple[str, Engine]]:
    """The Procfile's ``web`` on a free port with a migrated SQLite ledger; its base URL."""
    engine = configure(monkeypatch, tmp_path)
    port = free_port()
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {**os.environ, "PORT": str(port), "PATH": path, "HOME": str(tmp_path)}
    env.pop("XDG_RUNTIME_DIR", None)  # a control socket, if any, lands under this test's HOME
    with (tmp_path / "web.log").open("wb") as log:
        process = subprocess.Popen(
            ["sh", "-c", _procfile_web()],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_healthy(base, process)
            yield base, engine
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            engine.dispose()


def _wait_until_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    """Returns as soon as ``/healthz`` answers (two minutes at most: cold imports on a busy
    day of the shared machine are slow)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "the web process exited while starting"
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError("the web process did not start")


def _post_chunked(
    base: str, body: bytes, webhook_id: str, signed: bytes | None = None
) -> requests.Response:
    """A POST signed over ``signed`` (the body by default), sent with
    ``Transfer-Encoding: chunked`` in 8 KiB chunks."""
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign_v1(SECRET, webhook_id, timestamp, signed or body),
    }
    chunks = iter([body[i : i + 8192] for i in range(0, len(body), 8192)])
    return requests.post(f"{base}/webhooks/signing", data=chunks, headers=headers, timeout=60)


def _inbox_rows(engine: Engine) -> int:
    with engine.connect() as connection:
        count: int = connection.execute(text("SELECT COUNT(*) FROM webhook_inbox")).scalar_one()
        return count


def _padded(size: int) -> bytes:
    """A valid signed event padded with trailing whitespace (still JSON) to ``size`` bytes."""
    head = body_of(event(ADULT, ADULT, at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")))
    return head + b" " * (size - len(head))


def test_a_chunked_body_over_64_kib_is_refused_by_the_real_server_and_stores_nothing(
    web: tuple[str, Engine],
) -> None:
    base, engine = web
    # Signed over its first 64 KiB, a valid event: only the whole body may count.
    body = _padded(MAX_BODY + 1024)
    response = _post_chunked(base, body, "msg_chunked_big", signed=body[:MAX_BODY])
    assert response.status_code == 413
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert _inbox_rows(engine) == 0


def test_a_chunked_body_within_64_kib_is_accepted_by_the_real_server(
    web: tuple[str, Engine],
) -> None:
    base, engine = web
    assert _post_chunked(base, _padded(MAX_BODY), "msg_chunked_small").status_code == 202
    assert _inbox_rows(engine) == 1
