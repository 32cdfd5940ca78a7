"""KOSKI submission benchmark: results of consented participants, all the way into the sandbox.

In one run, on the same worker setup (W forking RQ workers in burst mode, the project's
JSON serializer and queues):

1. baseline: no-op jobs, as many as the flow would run with a job for each submission
   (one per participant, and a binding job per BIND_BATCH results), timed;
2. real: import the results of N consented participants (one file), then time the
   workers binding every result and sending every submission to the KOSKI sandbox
   (gunicorn on loopback, SQLite state), until all N are stored there. The flow sends
   SUBMIT_BATCH submissions to a job, so it runs fewer jobs; it prints how many.

Prints submissions per second next to no-op jobs per second, and the ratio; the import's
time and CPU per result; CPU per submission (workers, PostgreSQL, Redis, the sandbox); and,
on the filled ledger, what a course's status and a sweeper pass cost (:mod:`benchmarks.growth`).

``--scale 1000,10000,100000`` runs each count in turn, each on a fresh ledger and sandbox,
so the figures side by side show whether the cost per record stays flat as the ledger grows;
``--scale 100000`` runs that one alone. The no-op baseline is capped (``--baseline``): an
empty job costs the same whatever the ledger holds.

    .venv/bin/python -m benchmarks.submissions [--scale 10000] [--workers 2]
                                               [--database postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import redis
import requests
from sqlalchemy import text

from benchmarks import cpu, growth
from benchmarks.pgbouncer import pgbouncer
from benchmarks.servers import MemorySampler, scratch_stack
from consent import binding, grading
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.queues import (
    BIND_BATCH,
    CONSENT_QUEUE,
    KOSKI_QUEUE,
    SUBMIT_BATCH,
    RqJobQueue,
    queue,
)
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.ledger import SqlLedger, utc_now
from consent.adapters.sql.results import SqlResults
from consent.config import Settings
from consent.courses import parse_course
from consent.model import InboxDelivery

ROOT = Path(__file__).resolve().parents[1]
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
COURSE = {
    "code": "bench-2026",
    "name": {"fi": "Benchmark-kurssi"},
    "opintokokonaisuus": "1138",
    "laajuus_op": 1.0,
    "end_date": "2026-11-20",
    "oppilaitos_oid": "1.2.246.562.10.31915273374",
    "language": "FI",
    "grading_scale": "hyvaksytty-hylatty",
    "confirmer": {"name": "Reija Rehtori", "title": "rehtori"},
}


def _hetu(n: int) -> str:
    born = dt.date(1960, 1, 1) + dt.timedelta(days=n % 14000)
    digits = f"{born:%d%m}{born.year % 100:02d}{2 + n // 14000 % 898:03d}"
    return f"{digits[:6]}-{digits[6:]}{CHECK[int(digits) % 31]}"


def _sandbox(workdir: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = random.randint(20000, 40000)  # noqa: S311 - a loopback port, not a secret
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "1",
        "--threads",
        "8",
        "--log-level",
        "warning",
        "--no-control-socket",
        "--bind",
        f"127.0.0.1:{port}",
        "cli.koski_sandbox:app()",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env={**env, "VST_DATA_DIR": str(workdir)}, stdout=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/koski"
    for _ in range(150):
        try:
            requests.get(f"{url}/sandbox/faults", auth=("sandbox", "sandbox"), timeout=2)
            return process, url
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the KOSKI sandbox did not start")


# A burst worker that, as it ends, prints the CPU time and page faults of itself and of the
# work horses it forked and reaped (one a job): where a forking worker's time goes.
WORKER = """
import json, resource
from workers.worker import build_worker
build_worker().work(burst=True, logging_level="WARNING")
usage = {
    who: [u.ru_utime, u.ru_stime, u.ru_minflt]
    for who, u in (
        ("worker", resource.getrusage(resource.RUSAGE_SELF)),
        ("horses", resource.getrusage(resource.RUSAGE_CHILDREN)),
    )
}
print(json.dumps(usage))
"""


def _run_workers(count: int, env: dict[str, str]) -> tuple[float, str, dict[str, list[float]]]:
    """Start ``count`` burst workers and wait for the queues to drain; seconds taken, the
    memory of the worker (with its work horse) that peaked highest, and the workers' and
    their work horses' CPU seconds (user, system) and page faults, summed over the workers."""
    started = time.perf_counter()
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(count)
    ]
    usage = {"worker": [0.0, 0.0, 0.0], "horses": [0.0, 0.0, 0.0]}
    with MemorySampler({str(w.pid): w.pid for w in workers}) as memory:
        for worker in workers:
            out, _ = worker.communicate()
            for who, figures in json.loads(out.strip().splitlines()[-1]).items():
                usage[who] = [a + b for a, b in zip(usage[who], figures, strict=True)]
    highest = max((str(w.pid) for w in workers), key=memory.peak_pss)
    return time.perf_counter() - started, memory.summary(highest), usage


def _forks(usage: dict[str, list[float]], jobs: int, per: int) -> str:
    """``worker 5.0 ms + work horses 7.9 ms (user 1.8, system 6.0; 1351 page faults a job)``"""
    worker, (user, system, faults) = sum(usage["worker"][:2]), usage["horses"]
    return (
        f"worker {1000 * worker / per:.1f} ms + work horses {1000 * (user + system) / per:.1f} ms "
        f"(user {1000 * user / per:.1f}, system {1000 * system / per:.1f}; "
        f"{faults / jobs:.0f} page faults a job)"
    )


def _finished(broker: redis.Redis, name: str) -> int:
    """The flow's jobs finished on queue ``name``: RQ keeps them a day, and their ids are
    the flow's own (``bind-results-…``, ``submit-range-…``), unlike the no-op jobs'."""
    job_ids = queue(name, broker).finished_job_registry.get_job_ids()
    return sum(job_id.startswith(("bind-", "submit-")) for job_id in job_ids)


def adult_consent(n: int, course_code: str) -> tuple[dict[str, str], bytes]:
    """The ``n``-th generated adult and the body of their signed consent for the course."""
    member = {"hetu": _hetu(n), "first_names": "Testi", "last_name": f"Henkilö{n}"}
    event = {
        "type": "consent.signed",
        "timestamp": "2026-09-01T08:00:00Z",
        "data": {
            "document_id": f"d{n}",
            "course_code": course_code,
            "participant": member,
            "signer": member,
            "signed_at": "2026-09-01T08:00:00Z",
        },
    }
    return member, json.dumps(event, ensure_ascii=False).encode()


def _consents(settings: Settings, participants: int) -> tuple[list[dict[str, str]], float]:
    """Store a valid adult consent's delivery for each participant and bind them all, as the
    drain does (a batch to a transaction), directly through the use case, then
    :func:`_analyze` (the consents of a real course come in over weeks); the results file's
    rows, and the seconds it took."""
    started = time.perf_counter()
    engine = make_engine(settings.database_url)
    ledger = SqlLedger(engine, AesGcmCipher(settings.pii_keys))
    rows = []
    now = utc_now()
    for n in range(participants):
        member, body = adult_consent(n, str(COURSE["code"]))
        ledger.store_delivery(
            InboxDelivery("signing", f"m{n}", 1, "v1,x", "k", "consent.signed", body, now)
        )
        rows.append({"hetu": member["hetu"], "grade": "hyväksytty", "graded_on": "2026-11-19"})
    while binding.bind_batch(ledger, utc_now).claimed:
        pass
    engine.dispose()
    _analyze(settings.database_url)
    return rows, time.perf_counter() - started


def _analyze(database_url: str) -> None:
    """``ANALYZE`` the ledger, as PostgreSQL's autovacuum does soon after a bulk change (on
    by default, off on some test machines): the figures are of the plans a server with
    statistics chooses, not of a planner guessing at tables it has never looked at."""
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale",
        type=_scales,
        default=[10000],
        help="participants per run, comma-separated (1000,10000,100000): each on a fresh ledger",
    )
    parser.add_argument(
        "--baseline",
        type=int,
        default=20000,
        help="at most this many no-op jobs (their rate does not depend on the ledger)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument(
        "--pgbouncer",
        action="store_true",
        help="workers reach PostgreSQL through a PgBouncer of their own (session pooling)",
    )
    return parser.parse_args()


def _scales(value: str) -> list[int]:
    try:
        scales = [int(part.replace("_", "")) for part in value.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("a comma-separated list of counts") from None
    if any(scale < 1 for scale in scales):
        raise argparse.ArgumentTypeError("counts of one or more")
    return scales


def _import(
    settings: Settings, broker: redis.Redis, rows: list[dict[str, str]], parts: dict[str, cpu.Part]
) -> tuple[float, cpu.CpuMeter]:
    """Import the results file in this process, as the CLI does; seconds and CPU spent."""
    engine = make_engine(settings.database_url)
    results = SqlResults(engine, AesGcmCipher(settings.pii_keys), utc_now)
    course = parse_course(COURSE)
    SqlCourses(engine, utc_now).save_course(course, "benchmark")
    with cpu.CpuMeter(parts) as spent:
        started = time.perf_counter()
        grading.import_results(
            course, rows, results, RqJobQueue(broker), today=dt.date.today(), actor="benchmark"
        )
        seconds = time.perf_counter() - started
    engine.dispose()
    return seconds, spent


def _queue_noops(broker: redis.Redis, count: int, bindings: int) -> None:
    """The baseline: ``count`` jobs that do nothing, the first ``bindings`` on the binding
    queue and the rest on KOSKI's, as the flow's jobs are."""
    for n in range(count):
        name = CONSENT_QUEUE if n < bindings else KOSKI_QUEUE
        queue(name, broker).enqueue("benchmarks.noop.noop", n)


def run_scale(participants: int, args: argparse.Namespace) -> None:
    """One run on a fresh ledger and sandbox: baseline, consents, import, transfer; printed."""
    broker = redis.Redis.from_url(REDIS)
    broker.flushdb()
    bindings = -(-participants // BIND_BATCH)
    jobs = participants + bindings
    baseline = min(jobs, args.baseline)
    with ExitStack() as stack:
        workdir, env = stack.enter_context(scratch_stack(args.database, REDIS))
        sandbox, koski_url = _sandbox(workdir, dict(os.environ))
        stack.callback(sandbox.wait)
        stack.callback(sandbox.terminate)
        env["KOSKI_URL"] = koski_url
        database_url = env["DATABASE_URL"]
        settings = Settings.from_env(env)
        server = {"PostgreSQL": cpu.named("postgres"), "Redis": cpu.named("redis-server")}
        parts = {
            "workers and horses": cpu.reaped_children,
            **server,
            "sandbox": cpu.tree(sandbox.pid),
        }
        workers_env = env
        if args.pgbouncer:
            pooled = stack.enter_context(pgbouncer(database_url))
            workers_env = {**env, "DATABASE_URL": pooled}
            parts["PgBouncer"] = cpu.named("pgbouncer")
        _queue_noops(broker, baseline, baseline * bindings // jobs)
        with cpu.CpuMeter(parts) as noop_cpu:
            noop_seconds, _, noop_forks = _run_workers(args.workers, workers_env)
        rows, consent_seconds = _consents(settings, participants)
        importer = {"import (this process)": time.process_time, **server}
        import_seconds, import_cpu = _import(settings, broker, rows, importer)
        _analyze(database_url)
        with cpu.CpuMeter(parts) as real_cpu:
            real_seconds, worker_memory, real_forks = _run_workers(args.workers, workers_env)
        ran = {name: _finished(broker, name) for name in (CONSENT_QUEUE, KOSKI_QUEUE)}
        stored = requests.get(
            f"{koski_url}/sandbox/opiskeluoikeudet", auth=("sandbox", "sandbox"), timeout=300
        ).json()
        _analyze(database_url)
        probed = growth.probe(settings, str(COURSE["code"]), participants)
    sent = len(stored["opiskeluoikeudet"])
    jobs_rate, real_rate = baseline / noop_seconds, sent / real_seconds
    via = " through PgBouncer (session pooling)" if args.pgbouncer else ""
    print(f"== participants={participants} workers={args.workers} database={args.database}{via}")
    print(f"consents bound (in this process, before the clock): {consent_seconds:.0f} s")
    print("ANALYZE after the consents, after the import and after the transfer (as autovacuum)")
    print(
        f"grading sync: {participants} results imported (checked, stored, {bindings} "
        f"binding jobs queued) in {import_seconds:.1f} s = "
        f"{participants / import_seconds:.0f} results/s"
    )
    print(f"CPU per imported result: {import_cpu.per(participants)}")
    print(f"no-op baseline: {baseline} jobs in {noop_seconds:.1f} s = {jobs_rate:.1f} jobs/s")
    print(f"KOSKI transfer: {sent} records in {real_seconds:.1f} s = {real_rate:.1f} submissions/s")
    real_jobs = sum(ran.values())
    print(
        f"  ({real_jobs} jobs: {ran[CONSENT_QUEUE]} binding, {BIND_BATCH} results each, and "
        f"{ran[KOSKI_QUEUE]} sending, up to {SUBMIT_BATCH} submissions each)"
    )
    print(f"ratio submissions/s : no-op jobs/s = {real_rate / jobs_rate:.2f}")
    print(f"memory of one worker with its work horse: {worker_memory}")
    lines = [
        f"CPU per no-op job:    {noop_cpu.per(baseline)}",
        f"CPU per submission:   {real_cpu.per(sent)}",
        f"  per no-op job:      {_forks(noop_forks, baseline, baseline)}",
        f"  per submission:     {_forks(real_forks, real_jobs, sent)}",
        *probed,
    ]
    print("\n".join(lines), flush=True)


def main() -> None:
    args = _arguments()
    for participants in args.scale:
        run_scale(participants, args)


if __name__ == "__main__":
    main()
