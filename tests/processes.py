"""Starting and killing the project's own processes in tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
# Each worker's log goes to a file of its own: a pipe nobody reads while the test runs fills
# up (64 KiB) and then blocks the worker in the middle of a log line.
_LOGS: dict[int, IO[bytes]] = {}
# Each worker leads a process group of its own (its work horse and its scheduler process
# are in it): what a test's SIGKILL leaves behind is killed when the test ends.
_GROUPS: set[int] = set()


def start_worker() -> subprocess.Popen[bytes]:
    """``vst-consent worker`` as the Procfile runs it, configured by this process's environment."""
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "worker"],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    _LOGS[process.pid] = log
    _GROUPS.add(process.pid)
    return process


def kill_leftovers() -> None:
    """Kill whatever is left of the workers started so far (an orphaned scheduler process
    or work horse of a worker killed with SIGKILL), so it takes no job from a later test."""
    while _GROUPS:
        with suppress(ProcessLookupError):
            os.killpg(_GROUPS.pop(), signal.SIGKILL)


def children_of(pid: int) -> list[int]:
    """The live processes whose parent is ``pid`` (an RQ worker's horse and scheduler)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended while we looked
        fields = stat.rpartition(")")[2].split()  # after "pid (command)": state, ppid, …
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def horses_of(pid: int, job: str = "") -> list[int]:
    """The worker ``pid``'s work horses running a job (``job``, when named), told from its
    scheduler process by the title RQ gives them (``rq:worker:…: Processing <job> from
    <queue> since …``)."""
    found = []
    for child in children_of(pid):
        try:
            title = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue  # ended while we looked
        if f": Processing {job}".encode() in title:
            found.append(child)
    return found


def stop(process: subprocess.Popen[bytes]) -> str:
    """SIGTERM (a warm shutdown), SIGKILL if that takes too long; what it wrote to stderr."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    log = _LOGS.pop(process.pid, None)
    if log is None:
        return ""
    with log:
        log.seek(0)
        return log.read().decode(errors="replace")
