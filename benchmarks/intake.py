"""Webhook intake benchmark: the real endpoint next to a bare 202 endpoint and the durable
floor, in one run.

All three are served by gunicorn on loopback with the Procfile's ``web`` settings; a separate
process posts signed consent events to each, in alternating rounds, and this script prints
throughput (the median round), p50 and p99 latency, the requests slower than 100 ms, the
ratios intake / bare and intake / floor of each round and their median, and the CPU time per
request of each part (gunicorn, PostgreSQL, Redis, the load generator). The real endpoint
verifies, parses, validates, seals, commits to the database and enqueues to Redis on every
request; the floor (``benchmarks/floor_app.py``) only commits the body and pushes its id,
the two round trips no acknowledged delivery can do without. ``--sync N`` also serves all
three with N sync workers, in the same rounds.

    .venv/bin/python -m benchmarks.intake [--database postgresql|sqlite] [--rounds R]
                                          [--requests N] [--concurrency C] [--sync N]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
from typing import Any

import redis

from benchmarks import cpu
from benchmarks.servers import ROOT, procfile_options, scratch_stack, serve

REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
INTAKE = "vst-consent intake"
BARE = "bare Flask 202"
FLOOR = "durable floor"
WARM_UP = 400  # requests per server before the rounds


def _load(url: str, secret: str, total: int, concurrency: int) -> dict[str, Any]:
    command = [
        sys.executable,
        str(ROOT / "benchmarks" / "load.py"),
        url,
        secret,
        str(total),
        str(concurrency),
    ]
    result: dict[str, Any] = json.loads(
        subprocess.run(command, capture_output=True, check=True, text=True).stdout
    )
    return result


def _summary(rounds: list[dict[str, Any]]) -> dict[str, float]:
    latencies = sorted(latency for one in rounds for latency in one["latencies"])
    statuses = [one["statuses"] for one in rounds]
    ok = sum(v for counts in statuses for k, v in counts.items() if k in ("200", "202"))
    return {
        "throughput": statistics.median(_throughput(one) for one in rounds),
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "ok": ok / len(latencies),
        "slow": sum(latency > 0.1 for latency in latencies) / len(latencies),
    }


def _throughput(one: dict[str, Any]) -> float:
    """Requests per second of one round."""
    return len(one["latencies"]) / float(one["wall"])


def _settings(sync_workers: int) -> dict[str, list[str]]:
    """The gunicorn settings to measure, by name: the Procfile's web, and N sync workers."""
    quiet = ["--log-level", "warning"]
    settings = {"procfile": [*procfile_options("web"), *quiet]}
    if sync_workers:
        sync = ["--workers", str(sync_workers), "--worker-class", "sync", "--timeout", "60"]
        settings[f"sync x{sync_workers}"] = [*sync, "--no-control-socket", *quiet]
    return settings


def _report(
    setting: str, rounds: dict[str, list[dict[str, Any]]], meters: dict[str, list[cpu.CpuMeter]]
) -> None:
    """Print one setting's figures: each endpoint's, the ratios, the CPU per request."""
    labels = [f"{name} [{setting}]" for name in (BARE, FLOOR, INTAKE)]
    print(f"{'endpoint':<36}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'>100 ms':>10}{'2xx':>8}")
    for label in labels:
        r = _summary(rounds[label])
        print(
            f"{label:<36}{r['throughput']:>10.0f}{r['p50_ms']:>10.1f}{r['p99_ms']:>10.1f}"
            f"{r['slow']:>10.1%}{r['ok']:>8.0%}"
        )
    bare, floor, intake = labels
    for name, baseline in (("bare", bare), ("floor", floor)):
        ratios = [
            _throughput(i) / _throughput(b)
            for b, i in zip(rounds[baseline], rounds[intake], strict=True)
        ]
        shown = " ".join(f"{ratio:.2f}" for ratio in ratios)
        median = statistics.median(ratios)
        print(f"throughput ratio (intake / {name}): {median:.2f} (rounds: {shown})")
    print("CPU per request:")
    for label in labels:
        requests = sum(len(one["latencies"]) for one in rounds[label])
        print(f"  {label:<34}{cpu.CpuMeter.total(meters[label]).per(requests)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--requests", type=int, default=2000, help="per round and endpoint")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--sync", type=int, default=0, help="also N sync workers (0: not)")
    args = parser.parse_args()
    settings = _settings(args.sync)
    secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    # A fresh database numbers its deliveries from 1 again: jobs of an earlier run still
    # waiting under the same ids would turn every enqueue into a duplicate to look into.
    redis.Redis.from_url(REDIS).flushdb()
    apps = {
        BARE: "benchmarks.bare_app:app",
        FLOOR: "benchmarks.floor_app:app",
        INTAKE: "web.app:create_app()",
    }
    with scratch_stack(args.database, REDIS, SIGNING_WEBHOOK_KEYS=secret) as (_, env):
        servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
        rounds: dict[str, list[dict[str, Any]]] = {}
        meters: dict[str, list[cpu.CpuMeter]] = {}
        try:
            for setting, options in settings.items():  # in the try: one that fails to start
                for label, app in apps.items():  # stops the others
                    servers[f"{label} [{setting}]"] = serve(app, env, options)
            for _, base in servers.values():
                # warm-up: each gunicorn worker's first requests connect to the database
                # and Redis and compile what later requests reuse (~50 requests each)
                _load(f"{base}/webhooks/signing", secret, WARM_UP, args.concurrency)
            # They take turns, round by round, so that a slow spell of a shared machine
            # falls on all rather than on one.
            for _ in range(args.rounds):
                for label, (server, base) in servers.items():
                    parts = {
                        "gunicorn": cpu.tree(server.pid),
                        "load generator": cpu.reaped_children,
                        "PostgreSQL": cpu.named("postgres"),
                        "Redis": cpu.named("redis-server"),
                    }
                    with cpu.CpuMeter(parts) as meter:
                        url = f"{base}/webhooks/signing"
                        one = _load(url, secret, args.requests, args.concurrency)
                    rounds.setdefault(label, []).append(one)
                    meters.setdefault(label, []).append(meter)
        finally:
            for server, _ in servers.values():
                server.terminate()
                server.wait()
    print(
        f"database={args.database} rounds={args.rounds} requests={args.requests} per round "
        f"concurrency={args.concurrency} warm-up={WARM_UP} per server"
    )
    for setting, options in settings.items():
        print(f"\n{setting}: gunicorn {' '.join(options)}")
        _report(setting, rounds, meters)


if __name__ == "__main__":
    main()
