"""The worker is killed with SIGKILL again and again (its work horse mostly, sometimes the whole
worker) while it binds consents and sends results to a slow KOSKI sandbox. In the end every
accepted event is bound once and every eligible result exists once in KOSKI."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine, text

from consent import grading
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.queues import RqJobQueue
from consent.adapters.sql.grading import SqlGrading
from consent.adapters.sql.ledger import utc_now
from consent.config import Settings
from tests.courses import course
from tests.e2e.stack import configure, post_signed
from tests.koski_server import PASSWORD, USER, RunningSandbox, running_sandbox
from tests.processes import children_of, start_worker, stop
from tests.signing import event, person
from webhook.app import create_app
from workers.bootstrap import dependencies

pytestmark = pytest.mark.fault
PEOPLE = [
    person(dt.date(1970, 1, 1) + dt.timedelta(days=i), f"Testi{i}", "Henkilö") for i in range(30)
]
KILLS = 24  # every fourth one takes the whole worker down, not just its work horse
SLOW_KOSKI = "slow:0.4"  # each PUT takes a while, so kills land inside KOSKI calls


@pytest.fixture
def stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_client: redis.Redis
) -> Iterator[tuple[RunningSandbox, Engine]]:
    with running_sandbox(tmp_path / "koski.db") as koski:
        engine = configure(
            monkeypatch, tmp_path, KOSKI_URL=koski.url, KOSKI_USERNAME=USER, KOSKI_PASSWORD=PASSWORD
        )
        yield koski, engine
        dependencies.cache_clear()


def _count(engine: Engine, sql: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())


def _kill_repeatedly(workers: list[subprocess.Popen[bytes]]) -> int:
    """Kill work horses (and every fourth time the worker, then start another) KILLS times.

    ``workers[-1]`` is always the live worker, so the caller stops it whatever happens."""
    kills, deadline = 0, time.monotonic() + 240
    while kills < KILLS and time.monotonic() < deadline:
        worker = workers[-1]
        horses = children_of(worker.pid)
        if not horses:
            time.sleep(0.05)
            continue
        time.sleep(0.1)  # inside the job by now
        whole = kills % 4 == 3
        killed = False
        for pid in [*children_of(worker.pid), *([worker.pid] if whole else [])]:
            with suppress(ProcessLookupError):  # its job may have ended meanwhile
                os.kill(pid, signal.SIGKILL)
                killed = True
        kills += killed
        if whole:
            worker.wait(10)
            stop(worker)
            workers.append(start_worker())
    return kills


def test_two_dozen_kills_leave_every_consent_bound_once_and_every_record_in_koski_once(
    stack: tuple[RunningSandbox, Engine], redis_client: redis.Redis
) -> None:
    koski, engine = stack
    client = create_app().test_client()
    for i, member in enumerate(PEOPLE):
        assert post_signed(client, event(member, member), f"msg_{i}") == 202
    settings = Settings.from_env()
    store = SqlGrading(engine, AesGcmCipher(settings.pii_keys), utc_now)
    the_course = course(end_date="2026-11-20")
    store.save_course(the_course, "test")
    rows = [{"hetu": m["hetu"], "grade": "hyväksytty", "graded_on": "2026-11-19"} for m in PEOPLE]
    grading.import_results(
        the_course, rows, store, RqJobQueue(redis_client), today=dt.date.today(), actor="test"
    )
    koski.fail_next(*[SLOW_KOSKI] * len(PEOPLE))

    workers = [start_worker()]
    try:
        assert _kill_repeatedly(workers) == KILLS
        deadline = time.monotonic() + 300
        sent = "SELECT COUNT(*) FROM koski_submissions WHERE state = 'sent'"
        while _count(engine, sent) < len(PEOPLE) and time.monotonic() < deadline:
            time.sleep(1)
    finally:
        stop(workers[-1])
    processed = "SELECT COUNT(*) FROM webhook_inbox WHERE state = 'processed'"
    assert _count(engine, processed) == len(PEOPLE)
    assert _count(engine, "SELECT COUNT(*) FROM consents WHERE state = 'valid'") == len(PEOPLE)
    assert _count(engine, sent) == len(PEOPLE)
    stored = koski.stored()
    assert len(stored) == len(PEOPLE)  # one study right each, never a second
    assert len({s["oid"] for s in stored}) == len(PEOPLE)
