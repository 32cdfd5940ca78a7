"""The README's run command starts broker, migrations, web and worker, and Ctrl-C stops them;
meanwhile the demo, the signing connector, a person's export, the retention purge (by hand and
the worker's daily one) and a PII key's rotation leave no personal data in any log line, Redis
key or value, or command output (and an export only its person's own)."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import functools
import json
import operator
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
import requests

from consent.published_secrets import DEV_PII_KEY
from tests.hetus import born_years_ago, make_hetu
from tests.net import free_port
from tests.privacy import People, leaks, pdf_text
from tests.redis_dump import everything

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date.today()


@dataclass(frozen=True)
class _Person:
    """One of the demo's people: distinctive names, so that finding them anywhere but the
    ledger (or their own export) means a leak, and a generated hetu."""

    first_names: str
    last_name: str
    hetu: str

    @property
    def names(self) -> tuple[str, str]:
        return self.first_names, self.last_name

    @property
    def people(self) -> People:
        return People.of([self.hetu], self.names)


ADULT = _Person("Ulpukka Kielo", "Testimaa", make_hetu(born_years_ago(30, TODAY)))
MINOR = _Person("Pihla Minttu", "Kokeilukka", make_hetu(born_years_ago(16, TODAY, 40)))
GUARDIAN = _Person("Raili Orvokki", "Mallikoski", make_hetu(born_years_ago(45, TODAY, 9)))
FAILED = _Person("Ilmari Tyyne", "Koetalomaa", make_hetu(born_years_ago(52, TODAY, 3)))
UNSIGNED = _Person("Sulo Vilhelm", "Ennakkola", make_hetu(born_years_ago(23, TODAY, 7)))
ALONE = _Person("Lilja Aamu", "Yksinäinen", make_hetu(born_years_ago(15, TODAY, 5)))
ENROLLED = _Person("Väinö Reino", "Kutsuttula", make_hetu(born_years_ago(35, TODAY, 2)))
EVERYONE = (ADULT, MINOR, GUARDIAN, FAILED, UNSIGNED, ALONE, ENROLLED)


def _wait_ready(
    url: str, process: subprocess.Popen[bytes], seconds: float = 180
) -> dict[str, object]:
    """``url``'s JSON once it answers 200. It returns as soon as it does: the bound only ends
    a start that hangs (a fresh clone on a slow day of the shared machine took over 60 s)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the stack exited while starting"
        try:
            response = requests.get(url, timeout=2)
            if response.status_code == 200:
                body: dict[str, object] = response.json()
                return body
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or its workers still booting (cold imports)
        time.sleep(0.5)
    raise AssertionError("the stack did not become ready")


def _simulate(web: int, env: dict[str, str], *args: str) -> str:
    url = f"http://127.0.0.1:{web}/webhooks/signing"
    command = [sys.executable, "-m", "cli.main", "simulate-signing", "--url", url, *args]
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _command(
    env: dict[str, str], *args: str, stdin: str | None = None, exits: int = 0
) -> tuple[str, str]:
    """What ``vst-consent args`` printed on standard output and on standard error; it must
    exit with ``exits``."""
    command = [sys.executable, "-m", "cli.main", *args]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Not the output itself: it may be what the scan is there to catch.
    assert result.returncode == exits, f"{args[:2]} exited {result.returncode}"
    return result.stdout, result.stderr


def _run(env: dict[str, str], *args: str, exits: int = 0) -> str:
    """Everything the command printed."""
    return "".join(_command(env, *args, exits=exits))


def _demo(web: int, env: dict[str, str], data: Path) -> str:
    """The README's demo: consents, a course, its results, then records in the KOSKI sandbox.

    Returns what the commands printed."""
    results = str(data / "results.csv")
    course = ("--course", "knoppi-2026-syksy", "--write-result", results)
    printed = [_simulate(web, env, *course, *_as_participant(ADULT))]
    assert printed[0].startswith("202 ")
    guardian = ("--guardian", "--guardian-hetu", GUARDIAN.hetu, "--guardian-names", *GUARDIAN.names)
    printed.append(_simulate(web, env, *course, *_as_participant(MINOR), *guardian))
    printed.append(_simulate(web, env, *course, *_as_participant(FAILED), "--grade", "hylätty"))
    printed.append(_simulate(web, env, *course, *_as_participant(UNSIGNED), "--unsigned"))
    printed.append(  # a minor alone: rejected
        _simulate(web, env, "--course", "knoppi-2026-syksy", *_as_participant(ALONE))
    )
    printed.append(_run(env, "courses", "import", str(ROOT / "examples" / "course.json")))
    printed.append(_run(env, "results", "import", "knoppi-2026-syksy", results))
    assert "4 new or changed" in printed[-1]
    deadline = time.monotonic() + 60
    stored: list[object] = []
    while time.monotonic() < deadline and len(stored) < 2:
        time.sleep(0.5)
        listing = requests.get(
            "http://127.0.0.1:7021/koski/sandbox/opiskeluoikeudet",
            auth=("sandbox", "sandbox"),
            timeout=5,
        )
        stored = listing.json()["opiskeluoikeudet"]
    assert len(stored) == 2
    with sqlite3.connect(data / "vst-consent.db") as connection:
        states = connection.execute(
            "SELECT state, signer_relation FROM consents ORDER BY id"
        ).fetchall()
    assert states == [
        ("valid", "self"),
        ("valid", "guardian"),
        ("valid", "self"),
        ("rejected", None),
    ]
    status = _run(env, "status", "knoppi-2026-syksy")
    assert status.count(" sent ") == 2
    assert "not_passed" in status
    assert "no_consent" in status
    return "\n".join([*printed, status])


def _as_participant(person: _Person) -> tuple[str, ...]:
    return ("--participant-hetu", person.hetu, "--participant-names", *person.names)


def _connector_demo(web: int, env: dict[str, str], data: Path) -> str:
    """Enrol someone for signing; sign in the Visma Sign sandbox; their consent is bound."""
    hetu = ENROLLED.hetu
    enrolment = data / "osallistujat.csv"
    enrolment.write_text(
        f"hetu,first_names,last_name\n{hetu},{ENROLLED.first_names},{ENROLLED.last_name}\n"
    )
    printed = _run(env, "signing", "enrol", "knoppi-2026-syksy", str(enrolment))
    sandbox = "http://127.0.0.1:7022"
    documents: list[dict[str, Any]] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not documents:
        time.sleep(0.5)
        documents = requests.get(f"{sandbox}/sandbox/documents", timeout=5).json()["documents"]
    [document] = documents
    invitation = document["invitations"][0]["uuid"]
    signed = requests.post(f"{sandbox}/sandbox/sign/{invitation}", data={"hetu": hetu}, timeout=10)
    assert signed.status_code == 200
    requests.get(f"http://127.0.0.1:{web}/signing/return?document={document['uuid']}", timeout=10)
    deadline = time.monotonic() + 60
    state = ""
    while time.monotonic() < deadline and "event posted" not in state:
        time.sleep(0.5)
        state = _run(env, "signing", "status", "knoppi-2026-syksy")
    assert "signed" in state
    assert "event posted" in state
    with sqlite3.connect(data / "vst-consent.db") as connection:
        bound = connection.execute("SELECT COUNT(*) FROM consents WHERE state = 'valid'").fetchone()
    assert bound == (4,)  # the demo's three valid ones and this one
    return printed + state


def _export(env: dict[str, str]) -> tuple[str, str]:
    """The adult's right-of-access export as JSON (hetu on standard input), and what else
    the command printed."""
    document, printed = _command(
        env, "person", "export", "--by", "e2e-staff", stdin=f"{ADULT.hetu}\n"
    )
    exported = json.loads(document)
    assert exported["person"] == {
        "hetu": ADULT.hetu,
        "first_names": ADULT.first_names,
        "last_name": ADULT.last_name,
    }
    assert [c["state"] for c in exported["consents"]] == ["valid"]
    return document, printed


def _exports(env: dict[str, str], data: Path) -> dict[str, str]:
    """The adult's export, as JSON and as a PDF, each as text, and what else the commands
    printed."""
    document, printed = _export(env)
    pdf = data / "export.pdf"
    command = ("person", "export", "--by", "e2e-staff", "--pdf", "--out", str(pdf))
    _, printed_too = _command(env, *command, stdin=f"{ADULT.hetu}\n")
    as_text = pdf_text(pdf.read_bytes())
    assert ADULT.last_name in as_text
    return {"JSON export": document, "PDF export": as_text, "export output": printed + printed_too}


def _purge(env: dict[str, str]) -> str:
    """The retention purge by hand, counted first (``--dry-run``), with data kept 5 days
    after the course ended (``examples/course.json``: 20 November 2026): the result of the
    participant who never signed goes; what the commands printed."""
    kept = {**env, "RETENTION_DAYS": "5"}
    counted = _run(kept, "retention", "purge", "--dry-run")
    purged = _run(kept, "retention", "purge")
    assert "would delete\n  results: 1\n" in counted
    assert "deleted\n  results: 1\n" in purged
    assert "  results: 0\n" in _run(kept, "retention", "purge")  # nothing left to purge
    return counted + purged


def _rotate_keys(env: dict[str, str]) -> tuple[str, str]:
    """A new PII key put first, everything sealed again under it (``keys status`` and
    ``keys rewrap``), the development key then retired and the adult exported under the new
    key alone: the export, and everything the commands printed."""
    new = f"e2e:{base64.b64encode(os.urandom(32)).decode()}"
    rotated = {**env, "PII_KEY": f"{new} {DEV_PII_KEY}"}
    printed = [_run(rotated, "keys", "status", exits=1)]  # values wait under the old key
    printed.append(_run(rotated, "keys", "rewrap"))
    printed.append(_run(rotated, "keys", "status"))
    assert "may be removed from PII_KEY: dev" in printed[-1]
    document, exported = _export({**env, "PII_KEY": new})
    return document, "\n".join([*printed, exported])


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _stop(stack: subprocess.Popen[bytes]) -> None:
    """After a failure: Ctrl-C first, so honcho stops the processes it started in sessions of
    their own (a SIGKILL would orphan them, holding the sandbox's fixed port), then SIGKILL."""
    if stack.poll() is None:
        os.killpg(stack.pid, signal.SIGINT)
        try:
            stack.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)


def test_one_command_runs_the_stack_on_embedded_defaults_and_ctrl_c_stops_it(
    tmp_path: Path,
) -> None:
    web, broker = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "VST_ENV")}
    env.update(VST_DATA_DIR=str(tmp_path), VST_EMBEDDED_REDIS_PORT=str(broker))
    command = [sys.executable, "-m", "cli.main", "up", "--port", str(web)]
    log_path = tmp_path / "stack.log"  # a file, not a pipe: an unread pipe fills and blocks
    with log_path.open("wb") as log:
        stack = subprocess.Popen(
            command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        ready = _wait_ready(f"http://127.0.0.1:{web}/readyz", stack)
        assert ready == {"status": "ok", "checks": ["broker", "database"]}
        assert (tmp_path / "vst-consent.db").exists()
        assert (tmp_path / "valkey" / "appendonlydir").is_dir()
        login_page = requests.get(f"http://127.0.0.1:{web}/staff/login", timeout=10)
        assert "Kirjaudu sisään" in login_page.text  # the staff pages are served by web
        printed = _demo(web, env, tmp_path)
        printed += _connector_demo(web, env, tmp_path)
        exports = _exports(env, tmp_path)
        printed += _purge(env)
        exports["JSON export under a new key"], rotated = _rotate_keys(env)
        printed += rotated
        with redis.Redis(port=broker) as broker_client:
            in_redis = everything(broker_client)
        os.killpg(stack.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        stack.wait(timeout=60)
    finally:
        _stop(stack)
    output = log_path.read_bytes()
    assert stack.returncode == 0, output.decode()[-2000:]
    assert not _answers(web)
    assert not _answers(broker)
    assert b"embedded Valkey stopped" in output
    with (tmp_path / "results.csv").open(encoding="utf-8") as results:
        assert {row["hetu"] for row in csv.DictReader(results)} == {
            p.hetu for p in (ADULT, MINOR, FAILED, UNSIGNED)
        }
    logs = output.decode()
    assert logs.count('"event": "submission.sent') == 2  # every process's JSON log is here
    assert "workers.jobs.submit" in in_redis  # the jobs themselves were read
    assert "log.refused" not in logs  # no process tried to log a hetu
    assert '"event": "retention.purged results=' in logs  # the worker's daily purge ran
    everyone = functools.reduce(operator.or_, (p.people for p in EVERYONE))
    places = {"logs": logs, "Redis": in_redis, "command output": printed}
    assert leaks(places, everyone) == {}
    # The export holds the adult's own data and nobody else's.
    assert leaks(exports, everyone, allowed=ADULT.people) == {}
