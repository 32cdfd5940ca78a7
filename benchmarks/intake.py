"""Webhook intake benchmark: the real endpoint next to a bare 202 endpoint, in one run.

Both are served by gunicorn on loopback with the same settings; a separate process posts
signed consent events to each, in alternating rounds, and this script prints throughput (the
median round), p50 and p99 latency, the requests slower than 100 ms, and the ratio of each
round and their median. The real endpoint verifies, parses, validates, seals, commits to
the database and enqueues to Redis on every request.

    .venv/bin/python -m benchmarks.intake [--database postgresql|sqlite] [--rounds R]
                                          [--requests N] [--concurrency C]
                                          [--workers W] [--threads T]
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
from benchmarks.servers import ROOT, scratch_stack, serve

REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
INTAKE = "vst-consent intake"


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
        "throughput": statistics.median(len(one["latencies"]) / one["wall"] for one in rounds),
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "ok": ok / len(latencies),
        "slow": sum(latency > 0.1 for latency in latencies) / len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--requests", type=int, default=2000, help="per round and endpoint")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers, both apps")
    parser.add_argument("--threads", type=int, default=1, help="above 1: gthread workers")
    args = parser.parse_args()
    kind = "gthread" if args.threads > 1 else "sync"
    gunicorn = ["--workers", str(args.workers), "--worker-class", kind, "--log-level", "warning"]
    gunicorn += ["--threads", str(args.threads)] if args.threads > 1 else []
    secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    # A fresh database numbers its deliveries from 1 again: jobs of an earlier run still
    # waiting under the same ids would turn every enqueue into a duplicate to look into.
    redis.Redis.from_url(REDIS).flushdb()
    apps = {"bare Flask 202": "benchmarks.bare_app:app", INTAKE: "webhook.app:create_app()"}
    with scratch_stack(args.database, REDIS, SIGNING_WEBHOOK_KEYS=secret) as (_, env):
        servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
        rounds: dict[str, list[dict[str, Any]]] = {label: [] for label in apps}
        meters: dict[str, list[cpu.CpuMeter]] = {label: [] for label in apps}
        try:
            for label, app in apps.items():  # in the try: one that fails to start stops the other
                servers[label] = serve(app, env, gunicorn)
            for _, base in servers.values():
                # warm-up: each gunicorn worker's first requests connect to the database
                # and Redis and compile what later requests reuse (~50 requests each)
                _load(f"{base}/webhooks/signing", secret, 100 * args.workers, args.concurrency)
            # The two alternate, round by round, so that a slow spell of a shared machine
            # falls on both rather than on one.
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
                        rounds[label].append(_load(url, secret, args.requests, args.concurrency))
                    meters[label].append(meter)
        finally:
            for server, _ in servers.values():
                server.terminate()
                server.wait()
    results = {label: _summary(one) for label, one in rounds.items()}
    print(
        f"database={args.database} rounds={args.rounds} requests={args.requests} per round "
        f"concurrency={args.concurrency} gunicorn={' '.join(gunicorn[:4] + gunicorn[6:])}"
    )
    print(f"{'endpoint':<22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'>100 ms':>10}{'2xx':>8}")
    for label, r in results.items():
        print(
            f"{label:<22}{r['throughput']:>10.0f}{r['p50_ms']:>10.1f}{r['p99_ms']:>10.1f}"
            f"{r['slow']:>10.1%}{r['ok']:>8.0%}"
        )
    ratios = [
        (len(intake["latencies"]) / intake["wall"]) / (len(bare["latencies"]) / bare["wall"])
        for bare, intake in zip(rounds["bare Flask 202"], rounds[INTAKE], strict=True)
    ]
    shown = " ".join(f"{ratio:.2f}" for ratio in ratios)
    print(f"throughput ratio (intake / bare): {statistics.median(ratios):.2f} (rounds: {shown})")
    print("CPU per request:")
    for label, measured in meters.items():
        print(f"  {label:<20}{cpu.CpuMeter.total(measured).per(args.requests * args.rounds)}")


if __name__ == "__main__":
    main()
