"""What a hostile 10 MiB results upload costs the web process before the row limit refuses it.

Each case runs in a fresh process: the staff API (in-process, on a scratch SQLite database)
receives one 10 MiB body over the row limit, and the process reports how far its resident
memory rose above where it was before the request (peak RSS, from ``VmHWM`` after resetting
it), the request's wall time, and, in a second fresh process, the Python allocations' peak
(``tracemalloc``, which slows allocation, so its time is not reported). Run it in an older
checkout to compare::

    .venv/bin/python -m benchmarks.upload_memory
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Final

MIB: Final = 1024 * 1024
BODY: Final = 10 * MIB
REDIS: Final = "redis://127.0.0.1:6379/4"  # refused uploads never reach it
CASES: Final = {
    "json objects": ("application/json", b"[" + b"{}," * (BODY // 3 - 1) + b"{}]"),
    "csv empty rows": ("text/csv", b"hetu,grade,graded_on\n" + b",,\n" * (BODY // 3 - 8)),
    "csv blank lines": ("text/csv", b"hetu,grade,graded_on\n" + b"\n" * (BODY - 21)),
}


def _status_kib(field: str) -> int:
    """A ``/proc/self/status`` figure in KiB (``VmRSS``, ``VmHWM``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def _reset_peak() -> None:
    """Start ``VmHWM`` again from the current RSS (Linux: write 5 to clear_refs)."""
    Path("/proc/self/clear_refs").write_text("5")


def _one(case: str, traced: bool) -> dict[str, float | int | str]:
    """Post the case's body once to a fresh app; what it cost."""
    from consent.adapters.sql.engine import make_engine  # noqa: PLC0415 - in the child only
    from consent.adapters.sql.ledger import utc_now  # noqa: PLC0415
    from consent.adapters.sql.migrate import upgrade  # noqa: PLC0415
    from consent.adapters.sql.staff_tokens import SqlStaffTokens  # noqa: PLC0415
    from consent.config import Settings  # noqa: PLC0415
    from consent.staff import Role  # noqa: PLC0415
    from tests.courses import course_doc  # noqa: PLC0415
    from web.app import create_app  # noqa: PLC0415

    engine = make_engine(f"sqlite:///{tempfile.mkdtemp()}/ledger.db")
    upgrade(engine)
    headers = {"Authorization": f"Bearer {SqlStaffTokens(engine, utc_now).create('b', Role.STAFF)}"}
    client = create_app(Settings.from_env({"REDIS_URL": REDIS}), engine=engine).test_client()
    code = course_doc()["code"]
    assert client.put(f"/api/courses/{code}", json=course_doc(), headers=headers).status_code == 200
    content_type, body = CASES[case]
    before = _status_kib("VmRSS")
    _reset_peak()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    response = client.post(
        f"/api/courses/{code}/results", data=body, content_type=content_type, headers=headers
    )
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    reason = (response.get_json() or {}).get("errors", [{}])[0].get("reason", "")
    return {
        "status": response.status_code,
        "reason": reason,
        "rss_before_mib": before / 1024,
        "rss_growth_mib": (_status_kib("VmHWM") - before) / 1024,
        "seconds": seconds,
        "traced_peak_mib": peak / MIB,
    }


def _child(case: str, traced: bool) -> dict[str, float | int | str]:
    """Run one case in a fresh interpreter, so no earlier case's memory is counted."""
    command = [sys.executable, "-m", "benchmarks.upload_memory", "--one", case]
    if traced:
        command.append("--traced")
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=600)
    result: dict[str, float | int | str] = json.loads(done.stdout.splitlines()[-1])
    return result


def main() -> None:
    """Each case twice (untraced for RSS and time, traced for Python's own peak); a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.one, args.traced)))
        return
    print(
        f"{'case':<16} {'status':>6} {'RSS before':>10} {'RSS growth':>10} {'time':>7} "
        f"{'tracemalloc peak':>16}  reason"
    )
    for case in CASES:
        plain, traced = _child(case, traced=False), _child(case, traced=True)
        print(
            f"{case:<16} {plain['status']:>6} {plain['rss_before_mib']:>7.0f} MiB"
            f" {plain['rss_growth_mib']:>6.0f} MiB {plain['seconds']:>6.2f}s"
            f" {traced['traced_peak_mib']:>12.0f} MiB  {plain['reason']}"
        )


if __name__ == "__main__":
    main()
