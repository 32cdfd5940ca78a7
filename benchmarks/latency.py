"""End to end: a signed POST until its consent is bound, at a steady rate; and memory (PSS).

Serves the real app under gunicorn as the Procfile's ``web`` does, runs one
``vst-consent worker`` (RQ's forking worker), both on a scratch PostgreSQL ledger and Redis,
and posts signed consent events at a fixed rate from this process. For each event, the time
from sending the POST to the worker marking its delivery processed (the consent bound) is
taken from the ledger's ``processed_at``. Meanwhile the memory of the web server (gunicorn
and its workers) and of the worker (with its work horse and scheduler) is sampled: each
tree's proportional set size (PSS, from every process's smaps_rollup), which divides the
pages a forked child shares with its parent among them, next to their summed RSS, which
counts those pages once in each.

    .venv/bin/python -m benchmarks.latency [--rate 50] [--seconds 60] [--database postgresql]
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import redis
import requests
from sqlalchemy import text

from benchmarks.load import signed_request
from benchmarks.servers import ROOT, MemorySampler, procfile_options, scratch_stack, serve
from consent.adapters.sql.engine import make_engine

REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
PROCFILE_WEB = [*procfile_options("web"), "--log-level", "warning"]


def _post_steadily(url: str, secret: bytes, rate: float, count: int) -> dict[str, float]:
    """Post ``count`` signed events at ``rate`` per second; each webhook-id's send time."""
    sent: dict[str, float] = {}
    session_by_thread = threading.local()

    def post(n: int) -> None:
        body, headers = signed_request(n, secret)
        session = getattr(session_by_thread, "session", None) or requests.Session()
        session_by_thread.session = session
        sent[headers["webhook-id"]] = time.time()
        answer = session.post(url, data=body, headers=headers, timeout=30)
        if answer.status_code != 202:
            raise SystemExit(f"the intake answered {answer.status_code}")

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        for n in range(count):
            time.sleep(max(0.0, started + n / rate - time.monotonic()))
            pool.submit(post, n)
    return sent


def _bound_at(database_url: str, expected: int, deadline: float) -> dict[str, float]:
    """Wait until ``expected`` deliveries are processed; each webhook-id's processing time."""
    engine = make_engine(database_url)
    query = text("SELECT webhook_id, processed_at FROM webhook_inbox WHERE state = 'processed'")
    rows: dict[str, float] = {}
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            rows = {str(webhook_id): _epoch(at) for webhook_id, at in connection.execute(query)}
        if len(rows) >= expected:
            break
        time.sleep(0.5)
    engine.dispose()
    return rows


def _epoch(at: dt.datetime) -> float:
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).timestamp()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--rate", type=float, default=50.0, help="signed POSTs per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    count = int(args.rate * args.seconds)
    secret = os.urandom(32)
    keys = "whsec_" + base64.b64encode(secret).decode()
    with scratch_stack(args.database, REDIS, SIGNING_WEBHOOK_KEYS=keys) as (_, env):
        redis.Redis.from_url(REDIS).flushdb()
        web, base = serve("web.app:create_app()", env, PROCFILE_WEB)
        worker = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(3)  # the worker's imports, before the clock starts
            with MemorySampler({"web": web.pid, "worker": worker.pid}) as memory:
                sent = _post_steadily(f"{base}/webhooks/signing", secret, args.rate, count)
                bound = _bound_at(env["DATABASE_URL"], count, time.monotonic() + 120)
        finally:
            web.terminate()
            worker.terminate()
            web.wait()
            worker.wait()
    latencies = sorted(bound[key] - sent[key] for key in sent if key in bound)
    print(
        f"database={args.database} rate={args.rate:g}/s for {args.seconds:g} s: "
        f"{count} signed POSTs; web: gunicorn {' '.join(PROCFILE_WEB)}; one vst-consent worker"
    )
    print(f"bound: {len(latencies)} of {count}")
    if latencies:
        p99 = latencies[int(0.99 * (len(latencies) - 1))]
        print(
            f"POST sent -> consent bound: p50 {1000 * statistics.median(latencies):.0f} ms, "
            f"p99 {1000 * p99:.0f} ms, max {1000 * latencies[-1]:.0f} ms"
        )
    for name in ("web", "worker"):
        print(f"memory {name} (process tree, under load): {memory.summary(name)}")
    if len(latencies) < count:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
