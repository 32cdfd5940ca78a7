"""Where an intake request's CPU goes, in-process: the bare 202, the durable floor and the
intake each served signed consent events straight into their WSGI apps (no gunicorn, no
load generator), on a scratch ledger and Redis as ``benchmarks.intake`` uses them.

For each app it prints the CPU time per request (this thread's, the least of several
batches: the machine is shared) and the Python and C calls per request, which do not
depend on how busy the machine is; then the intake's calls by step (verify, read the
event, store, enqueue, log, answer), each counted in the innermost step it ran in.

    .venv/bin/python -m benchmarks.intake_parts [--requests N]
"""

from __future__ import annotations

import argparse
import base64
import collections
import os
import statistics
import sys
import time
from collections.abc import Iterator
from types import FrameType
from typing import Any

import redis
from flask import Flask
from werkzeug.test import EnvironBuilder

from benchmarks.load import signed_request
from benchmarks.servers import scratch_stack

REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
BATCH = 250
# The intake's steps, by the name of the function that runs each.
STEPS = frozenset(
    {
        "_check_size_and_type",
        "_whole_body",
        "verify",
        "loads_strict",
        "_check_schema",
        "_typed_event",
        "store_delivery",
        "enqueue_new_binding",
        "info",
        "_accepted",
        "_bind_request_id",
        "_return_request_id",
    }
)


def _requests(secret: str, count: int) -> Iterator[dict[str, Any]]:
    """WSGI environs of ``count`` signed consent events, each a new delivery, all made
    before the first is served."""
    raw = base64.b64decode(secret.removeprefix("whsec_"))
    environs = []
    for n in range(count):
        body, headers = signed_request(n, raw)
        builder = EnvironBuilder(path="/webhooks/signing", method="POST", data=body)
        builder.headers.update(headers)
        environs.append(builder.get_environ())
    return iter(environs)


def _serve(app: Flask, environs: Iterator[dict[str, Any]], count: int) -> None:
    def start(status: str, _headers: object, _exc: object = None) -> Any:
        if not status.startswith(("200", "202")):
            raise SystemExit(f"answered {status}")

    for _ in range(count):
        answer = app(next(environs), start)
        b"".join(answer)
        getattr(answer, "close", lambda: None)()


def _calls(app: Flask, environs: Iterator[dict[str, Any]], count: int) -> collections.Counter[str]:
    """Calls made serving ``count`` requests, by the innermost step they ran in."""
    calls: collections.Counter[str] = collections.Counter()
    stack: list[str | None] = []

    def profile(frame: FrameType, event: str, _arg: object) -> None:
        if event == "call":
            name = frame.f_code.co_name
            stack.append(name if name in STEPS else None)
        elif event == "return" and stack:
            stack.pop()
        if event in ("call", "c_call"):
            calls[next((step for step in reversed(stack) if step), "(Flask and the rest)")] += 1

    sys.setprofile(profile)
    try:
        _serve(app, environs, count)
    finally:
        sys.setprofile(None)
    return calls


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=3000, help="per app, in batches")
    args = parser.parse_args()
    secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    redis.Redis.from_url(REDIS).flushdb()
    with scratch_stack("postgresql", REDIS, SIGNING_WEBHOOK_KEYS=secret) as (_, env):
        os.environ.update(env)
        from benchmarks import bare_app, floor_app  # noqa: PLC0415 - they read the environment
        from web.app import create_app  # noqa: PLC0415 - as gunicorn would, once it is set

        apps: dict[str, Flask] = {
            "bare Flask 202": bare_app.app,
            "durable floor": floor_app.app,
            "vst-consent intake": create_app(),
        }
        stderr, sys.stderr = sys.stderr, open(os.devnull, "w")  # noqa: SIM115 - the intake's log lines
        environs = _requests(secret, 3 * (args.requests + 2 * BATCH + 500))
        cpu: dict[str, list[float]] = {name: [] for name in apps}
        calls: dict[str, collections.Counter[str]] = {}
        try:
            for app in apps.values():
                _serve(app, environs, BATCH)  # connections made, caches warm
            for _ in range(max(1, args.requests // BATCH)):  # batches take turns
                for name, app in apps.items():
                    started = time.thread_time()
                    _serve(app, environs, BATCH)
                    cpu[name].append((time.thread_time() - started) / BATCH)
            calls = {name: _calls(app, environs, 500) for name, app in apps.items()}
        finally:
            sys.stderr.close()
            sys.stderr = stderr
    print(f"in-process, PostgreSQL, {args.requests} requests per app in batches of {BATCH}")
    print(f"{'app':<22}{'CPU ms (least)':>16}{'(median)':>10}{'calls':>8}")
    for name in apps:
        total = sum(calls[name].values()) / 500
        least, median = 1000 * min(cpu[name]), 1000 * statistics.median(cpu[name])
        print(f"{name:<22}{least:>16.3f}{median:>10.3f}{total:>8.0f}")
    print("the intake's calls per request by step:")
    for step, count in calls["vst-consent intake"].most_common():
        print(f"  {step:<28}{count / 500:>8.1f}")


if __name__ == "__main__":
    main()
