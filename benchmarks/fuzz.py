"""Fuzz the served API with schemathesis: the staff API and the webhook, 10,000 cases and more.

Serves the real app under gunicorn on a scratch ledger (PostgreSQL by default), creates a
staff token, and runs ``schemathesis run`` against ``/api/openapi.json`` with every generation
mode (valid and invalid input) and every check schemathesis has (``--checks all``): no answer
is a 5xx; every status, header, content type and body is one the document names; invalid
requests are refused and valid ones are not (a documented 422 aside: ``schemathesis.toml``
beside this file says why); the token is enforced; and, in the stateful phase, what PUT
creates can be read back. Then counts what the ledger holds: nothing posted to the webhook
without a valid signature may have been stored.

    .venv/bin/python -m benchmarks.fuzz [--examples 1000] [--database postgresql|sqlite]

``--examples`` is per operation and mode (9 operations); schemathesis stops early for an
operation whose inputs run out, so the total is printed rather than assumed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from benchmarks.servers import ROOT, scratch_stack, serve
from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.staff import Role

REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
CHECKS = "all"
CONFIG = Path(__file__).with_name("schemathesis.toml")
UNSIGNED_EFFECTS = ("webhook_inbox", "consents", "participants")


def _counts(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        counts = {
            table: int(connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())  # noqa: S608 - fixed names
            for table in (*UNSIGNED_EFFECTS, "courses", "results")
        }
    engine.dispose()
    return counts


def _cases(ndjson: Path) -> tuple[int, dict[str, int]]:
    """Requests schemathesis made, in all and by status code, from its event log."""
    total, statuses = 0, dict[str, int]()
    for line in ndjson.read_text(encoding="utf-8").splitlines():
        scenario = json.loads(line).get("ScenarioFinished")
        if not scenario:
            continue
        for interaction in scenario["recorder"].get("interactions", {}).values():
            total += 1
            response = interaction.get("response") or {}
            status = str(response.get("status_code", "none"))
            statuses[status] = statuses.get(status, 0) + 1
    return total, statuses


def _with_token(tmp: Path, token: str) -> Path:
    """The settings beside this file with the staff token as schemathesis's own auth for the
    document's bearer scheme: a negative case that leaves the token out is then sent without
    it, where a ``--header`` would put it back on every request."""
    config = tmp / "schemathesis.toml"
    auth = f'\n[auth.openapi.staffToken]\nbearer = "{token}"\n'
    config.write_text(CONFIG.read_text(encoding="utf-8") + auth, encoding="utf-8")
    return config


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--examples", type=int, default=1000)
    args = parser.parse_args()
    with scratch_stack(args.database, REDIS) as (tmp, env):
        database_url = env["DATABASE_URL"]
        engine = make_engine(database_url)
        token = SqlStaffTokens(engine, utc_now).create("fuzz", Role.STAFF)
        engine.dispose()
        server, base = serve("web.app:create_app()", env)
        ndjson = tmp / "events.ndjson"
        config = _with_token(tmp, token)
        command = [
            *(sys.executable, "-m", "schemathesis.cli", "--config-file", str(config)),
            *("run", f"{base}/api/openapi.json"),
            *("--checks", CHECKS, "--mode", "all", "--max-examples", str(args.examples)),
            *("--workers", "1"),
            *("--suppress-health-check", "all", "--report", "ndjson"),
            *("--report-ndjson-path", str(ndjson), "--no-color"),
        ]
        started = time.monotonic()
        try:
            run = subprocess.run(
                command, check=False, cwd=ROOT, env=env, capture_output=True, text=True
            )
        finally:
            server.terminate()
            server.wait()
        seconds = time.monotonic() - started
        counts = _counts(database_url)
        total, statuses = _cases(ndjson)
    report = ROOT / "var" / "fuzz-report.txt"
    report.parent.mkdir(exist_ok=True)
    report.write_text(run.stdout + run.stderr, encoding="utf-8")
    summary = run.stdout.rfind("SUMMARY")
    print(run.stdout[summary - 40 :] if summary >= 0 else run.stdout[-3000:])
    print(f"schemathesis's whole report: {report}")
    print(f"database={args.database} examples per operation and mode={args.examples}")
    print(f"requests: {total} in {seconds:.0f} s ({total / seconds:.0f}/s)")
    print("by status: " + " ".join(f"{k}={v}" for k, v in sorted(statuses.items())))
    print("ledger after: " + " ".join(f"{k}={v}" for k, v in counts.items()))
    server_errors = sum(v for k, v in statuses.items() if k.startswith("5") and k != "502")
    unsigned = sum(counts[t] for t in UNSIGNED_EFFECTS)
    print(f"5xx answers: {server_errors}; rows stored from unsigned webhook posts: {unsigned}")
    if run.returncode != 0 or server_errors or unsigned:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
