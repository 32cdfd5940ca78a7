"""Retiring a PII key on PostgreSQL with 10,000 sealed participants: ``vst-consent keys
rewrap`` killed midway and run again finishes with every value under the new key, the old
key is removed, every participant is still found by hetu and opens, and the web process
answered every lookup throughout."""

from __future__ import annotations

import base64
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session

from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql import participants, purposes
from consent.adapters.sql.binding import SqlBindingTransaction
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.adapters.sql.tables import ParticipantRow
from consent.config import PiiKey
from consent.hetu import Hetu
from consent.model import ConsentRecord, ConsentState, Person
from consent.staff import Role
from tests.courses import course
from tests.e2e.stack import procfile_web
from tests.hetus import make_hetu

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 10_000
ASKED = 50  # participants with a consent on the course, looked up through the web
OLD, NEW = PiiKey("old", os.urandom(32)), PiiKey("new", os.urandom(32))
NOW = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)


def pii_key(*keys: PiiKey) -> str:
    return " ".join(f"{k.key_id}:{base64.b64encode(k.material).decode()}" for k in keys)


def hetus() -> list[str]:
    """10,000 distinct generated hetus: 800 individual numbers on each of 13 days."""
    return [
        make_hetu(dt.date(1960, 1, 1) + dt.timedelta(days=n // 800), 2 + n % 800)
        for n in range(PEOPLE)
    ]


def seed(engine: Engine, people: list[str]) -> list[int]:
    """Every participant sealed and indexed under the old key in one bulk insert, a course,
    and a consent (its signer sealed too) for the first ``ASKED``; their ids."""
    cipher = AesGcmCipher([OLD])
    rows = []
    for hetu in people:
        sealed = cipher.seal(hetu, purposes.HETU)
        names = participants.seal_names(cipher, Person(Hetu(hetu), "Aino", "Esimerkki"))
        rows.append(
            {
                "hetu_index": cipher.blind_index(hetu, purposes.HETU),
                "hetu_key_id": sealed.key_id,
                "hetu_sealed": sealed.blob,
                "names_key_id": names.key_id,
                "names_sealed": names.blob,
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
    with engine.begin() as connection:
        connection.execute(insert(ParticipantRow), rows)
    SqlCourses(engine, utc_now).save_course(course(), "test")
    with Session(engine) as session, session.begin():
        ids = [participants.save(session, cipher, _person(h), NOW) for h in people[:ASKED]]
        binding = SqlBindingTransaction(session, cipher, utc_now)
        for participant_id, hetu in zip(ids, people, strict=False):
            binding.save_consent(_consent(participant_id, hetu))
    return ids


def _person(hetu: str) -> Person:
    return Person(Hetu(hetu), "Aino", "Esimerkki")


def _consent(participant_id: int, hetu: str) -> ConsentRecord:
    return ConsentRecord(
        None, course().code, participant_id, ConsentState.VALID, None, f"doc-{participant_id}",
        NOW, "self", _person(hetu), None, NOW,
    )  # fmt: skip


class Poller:
    """Asks the web process for one consented person after another, unmasked by hetu, until
    stopped; every answer is kept with the phase it came in."""

    def __init__(self, base: str, token: str, people: list[str]) -> None:
        self._url = f"{base}/api/courses/{course().code}/status/person"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._people = people
        self.phase = "before"
        self.answers: list[tuple[str, bool]] = []
        self._stop = threading.Event()

    def ask(self, hetu: str) -> bool:
        """Whether the web found ``hetu`` and showed it opened."""
        try:
            answer = requests.post(
                self._url, json={"hetu": hetu}, headers=self._headers, timeout=10
            )
        except requests.RequestException:
            return False
        if answer.status_code != 200:
            return False
        shown = [p["participant"]["hetu"] for p in answer.json()["participants"]]
        return shown == [hetu]

    @contextmanager
    def polling(self) -> Iterator[None]:
        thread = threading.Thread(target=self._run, daemon=True)
        thread.start()
        try:
            yield
        finally:
            self._stop.set()
            thread.join()

    def _run(self) -> None:
        n = 0
        while not self._stop.is_set():
            phase = self.phase
            self.answers.append((phase, self.ask(self._people[n % len(self._people)])))
            n += 1
            self._stop.wait(0.02)


def keys_command(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "keys", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def rewrap_killed_midway(batches: int) -> list[str]:
    """Start ``keys rewrap`` slowed down, SIGKILL it once it has committed ``batches``
    batches of participants; what it printed."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli.main",
            "keys",
            "rewrap",
            "--batch-size",
            "200",
            "--pause",
            "0.1",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    printed = []
    for line in process.stdout:
        printed.append(line.strip())
        if sum(p.startswith("participants:") for p in printed) == batches:
            process.send_signal(signal.SIGKILL)
            break
    process.wait()
    assert process.returncode == -signal.SIGKILL
    return printed


def key_ids(engine: Engine) -> dict[str, int]:
    query = text("SELECT hetu_key_id, COUNT(*) FROM participants GROUP BY hetu_key_id")
    with engine.connect() as connection:
        return {str(key): int(n) for key, n in connection.execute(query)}


def assert_all_found_and_open(engine: Engine, people: list[str], cipher: AesGcmCipher) -> None:
    """Every hetu's index under ``cipher``'s current key finds one row that opens to it."""
    query = select(
        ParticipantRow.hetu_index, ParticipantRow.hetu_key_id, ParticipantRow.hetu_sealed
    )
    with engine.connect() as connection:
        rows = {index: (key, blob) for index, key, blob in connection.execute(query)}
        total = connection.execute(select(func.count()).select_from(ParticipantRow)).scalar()
    assert total == PEOPLE
    for hetu in people:
        key, blob = rows[cipher.blind_index(hetu, purposes.HETU)]
        found = participants.person(cipher, _row(key, blob))
        assert isinstance(found, Person)
        assert found.hetu.reveal() == hetu


def _row(key: str | None, blob: bytes | None) -> Any:
    return ParticipantRow(hetu_key_id=key, hetu_sealed=blob, names_key_id=None, names_sealed=None)


@pytest.fixture
def database(postgres_database: str) -> str:
    """The session's PostgreSQL database with its schema wiped, for the web to migrate."""
    engine = make_engine(postgres_database)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return postgres_database


def test_a_killed_rewrap_resumed_retires_the_old_key_with_the_web_answering_throughout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database: str, redis_client: redis.Redis
) -> None:
    people = hetus()
    ring = pii_key(NEW, OLD)  # every process already seals with the new key, opens the old
    with procfile_web(monkeypatch, tmp_path, database, PII_KEY=ring) as (base, engine):
        seed(engine, people)
        token = SqlStaffTokens(engine, utc_now).create("ops", Role.VIEWER)
        poller = Poller(base, token, people[:ASKED])
        with poller.polling():
            poller.phase = "killed run"
            printed = rewrap_killed_midway(batches=3)
            midway = key_ids(engine)
            poller.phase = "resumed run"
            resumed = keys_command("rewrap")
            poller.phase = "after"
        assert "participants: 600 rows sealed again" in printed
        assert midway["new"] >= 600
        assert midway["old"] > 0  # killed midway, not after the end
        assert resumed.returncode == 0, resumed.stderr
        assert f"participants {midway['old']}" in resumed.stdout
        assert key_ids(engine) == {"new": PEOPLE}
        answered = poller.answers
        phases = {phase for phase, _ in answered}
        assert {"killed run", "resumed run"} <= phases
        assert all(ok for _, ok in answered), "a lookup failed during the rewrap"
        again = keys_command("rewrap")
        assert again.returncode == 0
        assert "nothing to rewrap" in again.stdout
        status = keys_command("status")
        assert status.returncode == 0, status.stdout
        assert "may be removed from PII_KEY: old" in status.stdout
    assert_all_found_and_open(engine, people, AesGcmCipher([NEW]))
    with procfile_web(monkeypatch, tmp_path, database, PII_KEY=pii_key(NEW)) as (base, engine):
        status = keys_command("status")
        assert status.returncode == 0, status.stdout
        assert "everything is under the current key new" in status.stdout
        poller = Poller(base, token, people[:ASKED])
        assert all(poller.ask(hetu) for hetu in people[:ASKED])
    print(f"the web answered all {len(answered)} lookups asked during the rewrap")
