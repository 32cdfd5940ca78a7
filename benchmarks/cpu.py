"""Where a benchmark's CPU time went: per process group, read from /proc, over one phase.

Each part is a function returning cumulative CPU seconds (user + system, including children
already reaped); :class:`CpuMeter` reports how much each grew during a ``with`` block, next
to the whole machine's busy time, so the parts not measured show as the difference.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from benchmarks.servers import process_tree

TICK = os.sysconf("SC_CLK_TCK")
Part = Callable[[], float]


def _stat(pid: int) -> tuple[int, float] | None:
    """Parent pid and CPU seconds (own and reaped children's) of ``pid``; None once gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return int(fields[1]), sum(int(ticks) for ticks in fields[11:15]) / TICK


def _pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def tree(pid: int) -> Part:
    """Process ``pid`` and its descendants (a gunicorn server and its workers)."""

    def seconds() -> float:
        stats = {p: s for p in _pids() if (s := _stat(p)) is not None}
        parents = {p: of for p, (of, _) in stats.items()}
        return sum(stats[member][1] for member in process_tree(pid, parents))

    return seconds


def named(word: str) -> Part:
    """Every other process whose command line contains ``word`` (``postgres``,
    ``redis-server``); this one is left out, whatever its arguments say."""
    needle, me = word.encode(), os.getpid()

    def seconds() -> float:
        total = 0.0
        for pid in _pids():
            if pid == me:
                continue
            try:
                if needle not in Path(f"/proc/{pid}/cmdline").read_bytes():
                    continue
            except OSError:
                continue
            stat = _stat(pid)
            total += stat[1] if stat else 0.0
        return total

    return seconds


def reaped_children() -> float:
    """This process's children that have ended and been waited for (a load generator, burst
    workers with the work horses they reaped)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine() -> float:
    """Busy CPU seconds of the whole machine, all cores (everything but idle and iowait)."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / TICK


class CpuMeter:
    """CPU seconds each part, and the machine, spent inside the ``with`` block."""

    def __init__(self, parts: dict[str, Part]) -> None:
        self._parts = {"machine": machine, **parts}
        self._start: dict[str, float] = {}
        self.spent: dict[str, float] = {}

    def __enter__(self) -> CpuMeter:
        self._start = {name: part() for name, part in self._parts.items()}
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.spent = {name: part() - self._start[name] for name, part in self._parts.items()}

    @staticmethod
    def total(meters: list[CpuMeter]) -> CpuMeter:
        """One meter with what these spent together (rounds of one phase)."""
        summed = CpuMeter({})
        summed.spent = {
            name: sum(meter.spent[name] for meter in meters) for name in meters[0].spent
        }
        return summed

    def per(self, count: int) -> str:
        """Milliseconds per unit of work, machine first: ``machine 1.73 = app 1.19 + …``."""
        ms = {name: 1000 * seconds / count for name, seconds in self.spent.items()}
        parts = " + ".join(f"{name} {value:.2f}" for name, value in ms.items() if name != "machine")
        return f"machine {ms['machine']:.2f} ms (of which {parts})"
