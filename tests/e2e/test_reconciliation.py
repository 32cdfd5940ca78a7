"""A participant's revocation in Oma Opintopolku, noticed by reconciliation through the real
worker: the sweeper queues the run, the worker reads the records back from the KOSKI
sandbox, the status shows the record gone and nothing is sent again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import Engine, update

from consent import grading
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.queues import RqJobQueue
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.results import SqlResults
from consent.adapters.sql.status import SqlStatus
from consent.adapters.sql.tables import SubmissionRow
from consent.bootstrap import worker_services
from consent.config import Settings
from tests.courses import course
from tests.e2e.stack import configure, post_signed
from tests.koski_server import PASSWORD, USER, RunningSandbox, running_sandbox
from tests.signing import event, person
from tests.status import status_rows
from web.app import create_app
from workers import sweeper
from workers.worker import build_worker

ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
OTHER = person(dt.date(1985, 3, 3), "Eero", "Nieminen")


@pytest.fixture
def stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_client: redis.Redis
) -> Iterator[tuple[RunningSandbox, Engine]]:
    """Web, worker and KOSKI sandbox configured through the environment, as in production."""
    with running_sandbox(tmp_path / "koski.db") as koski:
        engine = configure(
            monkeypatch,
            tmp_path,
            KOSKI_URL=koski.url,
            KOSKI_USERNAME=USER,
            KOSKI_PASSWORD=PASSWORD,
            KOSKI_RECONCILE_PAUSE_MS="0",
        )
        yield koski, engine
        engine.dispose()


def test_a_revocation_in_oma_opintopolku_is_noticed_by_the_worker_and_nothing_is_resent(
    stack: tuple[RunningSandbox, Engine], redis_client: redis.Redis
) -> None:
    sandbox, engine = stack
    client = create_app().test_client()
    assert post_signed(client, event(ADULT, ADULT), "msg_adult") == 202
    assert post_signed(client, event(OTHER, OTHER), "msg_other") == 202
    settings = Settings.from_env()
    cipher = AesGcmCipher(settings.pii_keys)
    the_course = course(end_date="2026-11-20")
    SqlCourses(engine, utc_now).save_course(the_course, "test")
    rows = [
        {"hetu": m["hetu"], "grade": "hyväksytty", "graded_on": "2026-11-19"}
        for m in (ADULT, OTHER)
    ]
    results = SqlResults(engine, cipher, utc_now)
    jobs = RqJobQueue(redis_client)
    grading.import_results(the_course, rows, results, jobs, today=dt.date.today(), actor="test")
    build_worker(settings).work(burst=True)
    by_hetu = {r["participant"]["hetu"][-4:]: r for r in _status(engine, cipher)}
    revoked = by_hetu[ADULT["hetu"][-4:]]["submission"]
    sandbox.revoke(revoked["oid"])  # the participant, in Oma Opintopolku
    with engine.begin() as connection:  # sent two days ago: due for its daily check
        connection.execute(update(SubmissionRow).values(sent_at=utc_now() - dt.timedelta(days=2)))
    before = sandbox.stored()

    assert sweeper.sweep(worker_services())["reconciliation"] == 2
    build_worker(settings).work(burst=True)

    after = {r["participant"]["hetu"][-4:]: r["submission"] for r in _status(engine, cipher)}
    assert after[ADULT["hetu"][-4:]]["state"] == "deleted"
    assert after[OTHER["hetu"][-4:]]["state"] == "sent"
    assert sandbox.stored() == before  # nothing was sent again
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'vst_koski_reconciliation_total{outcome="gone"} 1.0' in metrics
    assert 'vst_koski_reconciliation_total{outcome="found"} 1.0' in metrics
    grading.import_results(the_course, rows, results, jobs, today=dt.date.today(), actor="test")
    build_worker(settings).work(burst=True)
    assert sandbox.stored() == before
    assert "reconciliation" not in sweeper.sweep(worker_services())  # found just now


def _status(engine: Engine, cipher: AesGcmCipher) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = status_rows(SqlStatus(engine, cipher), course().code)
    return rows
