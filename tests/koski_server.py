"""The KOSKI sandbox served over real HTTP on loopback, for tests that go through the client."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from werkzeug.serving import WSGIRequestHandler, make_server

from sandbox.koski.app import create_app

USER, PASSWORD = "sandbox", "sandbox"


class _QuietHandler(WSGIRequestHandler):
    """No access log lines on stderr for every test request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class RunningSandbox:
    """A sandbox on a free port, with helpers to look inside and to plan faults."""

    def __init__(self, url: str) -> None:
        self.url = url  # what KOSKI_URL would be: .../koski

    def stored(self) -> list[dict[str, object]]:
        body = requests.get(
            f"{self.url}/sandbox/opiskeluoikeudet", auth=(USER, PASSWORD), timeout=10
        ).json()
        live: list[dict[str, object]] = body["opiskeluoikeudet"]
        return live

    def fail_next(self, *faults: str) -> None:
        requests.put(
            f"{self.url}/sandbox/faults",
            json={"faults": list(faults)},
            auth=(USER, PASSWORD),
            timeout=10,
        )

    def pending_faults(self) -> list[str]:
        body = requests.get(f"{self.url}/sandbox/faults", auth=(USER, PASSWORD), timeout=10).json()
        faults: list[str] = body["faults"]
        return faults

    def add_person(self, first_names: str, last_name: str) -> str:
        """A person without a hetu, as oppijanumerorekisteri would know them: their oid."""
        response = requests.post(
            f"{self.url}/sandbox/henkilot",
            json={"etunimet": first_names, "sukunimi": last_name},
            auth=(USER, PASSWORD),
            timeout=10,
        )
        response.raise_for_status()
        oid: str = response.json()["oid"]
        return oid

    def revoke(self, oid: str) -> None:
        response = requests.post(
            f"{self.url}/api/opiskeluoikeus/suostumuksenperuutus/{oid}",
            auth=(USER, PASSWORD),
            timeout=10,
        )
        response.raise_for_status()


@contextmanager
def running_sandbox(
    database: Path, today: Callable[[], dt.date] = dt.date.today
) -> Iterator[RunningSandbox]:
    """Serve the sandbox in a thread until the block ends."""
    app = create_app(database, {USER: PASSWORD}, today=today)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield RunningSandbox(f"http://127.0.0.1:{server.server_port}/koski")
    finally:
        server.shutdown()
        thread.join()
