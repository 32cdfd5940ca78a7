"""Binding benchmark: one ``vst-consent worker`` binding a backlog of signed deliveries.

Stores N signed consent deliveries in a scratch ledger (as the intake stores them, sealed),
starts one real worker (the Procfile's, its drain running in the worker process), lets it
settle, then asks for binding as a request does and times the worker until every delivery
is processed. Prints bindings per second and the CPU time a binding cost the whole machine,
the worker (its process tree), PostgreSQL and Redis (``benchmarks/cpu.py``).

    .venv/bin/python -m benchmarks.binding [--deliveries 5000] [--database postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time

import redis
from sqlalchemy import text

from benchmarks import cpu
from benchmarks.servers import ROOT, scratch_stack
from benchmarks.submissions import adult_consent
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.queues import RqJobQueue
from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.ledger import SqlLedger, utc_now
from consent.config import Settings
from consent.model import InboxDelivery

REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def _store(ledger: SqlLedger, deliveries: int) -> None:
    """``deliveries`` adults' signed consents, each a delivery of its own, none bound."""
    now = utc_now()
    for n in range(deliveries):
        _member, body = adult_consent(n, "bench-2026")
        ledger.store_delivery(
            InboxDelivery("signing", f"m{n}", 1, "v1,x", "k", "consent.signed", body, now)
        )


def _processed(ledger_url: str) -> int:
    engine = make_engine(ledger_url)
    with engine.connect() as connection:
        query = text("SELECT count(*) FROM webhook_inbox WHERE state = 'processed'")
        count = int(connection.execute(query).scalar_one())
    engine.dispose()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--deliveries", type=int, default=5000)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    args = parser.parse_args()
    broker = redis.Redis.from_url(REDIS)
    broker.flushdb()
    with scratch_stack(args.database, REDIS) as (_, env):
        settings = Settings.from_env(env)
        engine = make_engine(settings.database_url)
        stored = time.perf_counter()
        _store(SqlLedger(engine, AesGcmCipher(settings.pii_keys)), args.deliveries)
        store_seconds = time.perf_counter() - stored
        engine.dispose()
        worker = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(3)  # the worker's imports and warm-up, before the clock starts
            parts = {
                "worker": cpu.tree(worker.pid),
                "PostgreSQL": cpu.named("postgres"),
                "Redis": cpu.named("redis-server"),
            }
            with cpu.CpuMeter(parts) as spent:
                started = time.perf_counter()
                RqJobQueue(broker).enqueue_new_binding(1)  # as the first request of a burst
                while (done := _processed(settings.database_url)) < args.deliveries:
                    time.sleep(0.05)
                seconds = time.perf_counter() - started
        finally:
            worker.terminate()
            worker.wait()
    print(
        f"deliveries={args.deliveries} database={args.database}, one vst-consent worker "
        f"({dt.date.today()}); stored in {store_seconds:.1f} s"
    )
    print(f"bound: {done} in {seconds:.2f} s = {done / seconds:.0f} bindings/s")
    print(f"CPU per binding: {spent.per(done)}")


if __name__ == "__main__":
    main()
