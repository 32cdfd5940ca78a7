"""Webhook intake benchmark: the real endpoint next to a bare 202 endpoint, in one run.

Both are served by gunicorn on loopback with the same settings; a separate process posts
signed consent events to each and this script prints throughput, p50 and p99 latency and
the ratio. The real endpoint verifies, parses, validates, seals, commits to the database
and enqueues to Redis on every request.

    .venv/bin/python -m benchmarks.intake [--database postgresql|sqlite]
                                          [--requests N] [--concurrency C]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys

import redis

from benchmarks import cpu
from benchmarks.servers import ROOT, scratch_stack, serve

REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def _load(url: str, secret: str, total: int, concurrency: int) -> dict[str, float]:
    command = [
        sys.executable,
        str(ROOT / "benchmarks" / "load.py"),
        url,
        secret,
        str(total),
        str(concurrency),
    ]
    result = json.loads(subprocess.run(command, capture_output=True, check=True, text=True).stdout)
    latencies = sorted(result["latencies"])
    return {
        "throughput": len(latencies) / result["wall"],
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "ok": sum(v for k, v in result["statuses"].items() if k in ("200", "202")) / len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--requests", type=int, default=2000)
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
    with scratch_stack(args.database, REDIS, SIGNING_WEBHOOK_KEYS=secret) as (_, env):
        results, used = {}, {}
        for label, app in (
            ("bare Flask 202", "benchmarks.bare_app:app"),
            ("vst-consent intake", "webhook.app:create_app()"),
        ):
            server, base = serve(app, env, gunicorn)
            url = f"{base}/webhooks/signing"
            parts = {
                "gunicorn": cpu.tree(server.pid),
                "load generator": cpu.reaped_children,
                "PostgreSQL": cpu.named("postgres"),
                "Redis": cpu.named("redis-server"),
            }
            try:
                # warm-up: each gunicorn worker's first requests connect to the database
                # and Redis and compile what later requests reuse (~50 requests each)
                _load(url, secret, 100 * args.workers, args.concurrency)
                with cpu.CpuMeter(parts) as meter:
                    results[label] = _load(url, secret, args.requests, args.concurrency)
                used[label] = meter.per(args.requests)
            finally:
                server.terminate()
                server.wait()
    print(
        f"database={args.database} requests={args.requests} concurrency={args.concurrency} "
        f"gunicorn={' '.join(gunicorn[:4] + gunicorn[6:])}"
    )
    print(f"{'endpoint':<22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'2xx':>8}")
    for label, r in results.items():
        print(
            f"{label:<22}{r['throughput']:>10.0f}{r['p50_ms']:>10.1f}{r['p99_ms']:>10.1f}{r['ok']:>8.0%}"
        )
    ratio = results["vst-consent intake"]["throughput"] / results["bare Flask 202"]["throughput"]
    print(f"throughput ratio (intake / bare): {ratio:.2f}")
    print("CPU per request:")
    for label, line in used.items():
        print(f"  {label:<20}{line}")


if __name__ == "__main__":
    main()
