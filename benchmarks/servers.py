"""What the benchmarks share: a migrated scratch ledger and apps served by gunicorn on loopback."""

from __future__ import annotations

import os
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


def _parents() -> dict[int, int]:
    """The parent of every live process, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended while we looked
        parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
    return parents


def _rollup(pid: int) -> dict[str, int]:
    """``Rss`` and ``Pss`` of one process in KiB, from its smaps_rollup (empty once gone)."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]
    except OSError:
        return {}
    fields = (line.split() for line in lines)
    return {parts[0].rstrip(":"): int(parts[1]) for parts in fields if len(parts) == 3}


@dataclass(frozen=True)
class TreeMemory:
    """One look at a process tree: how many processes, their summed resident memory (RSS,
    which counts a page shared by a forked child once in each), and their proportional set
    size (PSS: each shared page divided among the processes sharing it), in KiB."""

    processes: int
    rss: int
    pss: int


def tree_memory(pid: int) -> TreeMemory:
    """Process ``pid`` and all its descendants, summed."""
    rollups = [_rollup(member) for member in process_tree(pid, _parents())]
    rollups = [rollup for rollup in rollups if rollup]
    rss = sum(rollup.get("Rss", 0) for rollup in rollups)
    return TreeMemory(len(rollups), rss, sum(rollup.get("Pss", 0) for rollup in rollups))


class MemorySampler:
    """Memory of process trees (summed RSS and PSS), sampled every half second in a thread:
    the first look, every look after it, and the peaks."""

    def __init__(self, pids: dict[str, int]) -> None:
        self._pids = pids
        self.first: dict[str, TreeMemory] = {}
        self.samples: dict[str, list[TreeMemory]] = {name: [] for name in pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self.first = {name: tree_memory(pid) for name, pid in self._pids.items()}
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            for name, pid in self._pids.items():
                if (memory := tree_memory(pid)).processes:
                    self.samples[name].append(memory)

    def _looks(self, name: str) -> list[TreeMemory]:
        return self.samples[name] or [self.first[name]]

    def peak_rss(self, name: str) -> int:
        """The highest summed RSS of tree ``name`` (KiB)."""
        return max(look.rss for look in self._looks(name))

    def peak_pss(self, name: str) -> int:
        """The highest PSS of tree ``name`` (KiB)."""
        return max(look.pss for look in self._looks(name))

    def median_pss(self, name: str) -> float:
        """The median PSS of tree ``name`` over the looks (KiB)."""
        return statistics.median(look.pss for look in self._looks(name))

    def most_processes(self, name: str) -> int:
        """The most processes tree ``name`` had at one look (a worker with its horse)."""
        return max(look.processes for look in self._looks(name))

    def summary(self, name: str) -> str:
        """``PSS peak 180 MiB, median 171 MiB; summed RSS 240 MiB at start, peak 333 MiB (up
        to 3 processes)``"""
        mib = 1024
        return (
            f"PSS peak {self.peak_pss(name) / mib:.0f} MiB, median "
            f"{self.median_pss(name) / mib:.0f} MiB; summed RSS "
            f"{self.first[name].rss / mib:.0f} MiB at start, peak {self.peak_rss(name) / mib:.0f} "
            f"MiB (up to {self.most_processes(name)} processes)"
        )
