"""What the benchmarks share: a migrated scratch ledger and apps served by gunicorn on loopback."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from benchmarks.scratch_db import scratch_database

ROOT = Path(__file__).resolve().parents[1]
# No control socket: gunicorn's default is one path per user, which servers started side by
# side would share (and the first to stop would remove).
GUNICORN = [
    "--workers",
    "4",
    "--worker-class",
    "sync",
    "--log-level",
    "warning",
    "--no-control-socket",
]


def procfile_options(process: str) -> list[str]:
    """The gunicorn options the Procfile gives ``process``, without its ``--bind`` and app."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            argv = shlex.split(command)[1:-1]  # "gunicorn" and the app spec
            bind = argv.index("--bind")
            return argv[:bind] + argv[bind + 2 :]
    raise SystemExit(f"the Procfile has no {process} process")


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def migrate(env: dict[str, str]) -> None:
    """``vst-consent migrate`` on the database ``env`` names."""
    command = [sys.executable, "-m", "cli.main", "migrate"]
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)


@contextmanager
def scratch_stack(
    database: str, redis_url: str, **settings: str
) -> Iterator[tuple[Path, dict[str, str]]]:
    """A temporary data directory and a migrated scratch database (``postgresql`` or
    ``sqlite``), both gone when the block ends; the environment the service's processes
    get (``DATABASE_URL``, ``REDIS_URL``, ``VST_DATA_DIR`` and ``settings``)."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        scratch_database(database, Path(tmp)) as database_url,
    ):
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "VST_DATA_DIR": tmp,
            **settings,
        }
        migrate(env)
        yield Path(tmp), env


def serve(
    app: str, env: dict[str, str], options: list[str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """Serve ``app`` (a gunicorn app spec) on a free port; the process and its base URL."""
    port = free_port()
    gunicorn = GUNICORN if options is None else options
    command = [sys.executable, "-m", "gunicorn", *gunicorn, "--bind", f"127.0.0.1:{port}", app]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=5)
            return process, f"http://127.0.0.1:{port}"
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{app} did not start")


def process_tree(pid: int, parents: dict[int, int]) -> set[int]:
    """``pid`` and all its descendants, given the parent of every live process."""
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, of in parents.items() if of == parent]
        tree.update(children)
        frontier += children
    return tree


def tree_rss_kib(pid: int) -> int:
    """Resident memory of process ``pid`` and all its descendants, in KiB (from /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue  # ended while we looked
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(entry.name)] = int(fields["PPid"])
        rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0])
    return sum(rss.get(member, 0) for member in process_tree(pid, parents))


class RssSampler:
    """Peak resident memory of process trees, sampled every half second in a thread."""

    def __init__(self, pids: dict[str, int]) -> None:
        self._pids = pids
        self.peak = dict.fromkeys(pids, 0)
        self.first = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self.first = {name: tree_rss_kib(pid) for name, pid in self._pids.items()}
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            for name, pid in self._pids.items():
                self.peak[name] = max(self.peak[name], tree_rss_kib(pid))
