"""From a signed webhook to a record in the KOSKI sandbox, through the real RQ worker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from consent import grading
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.queues import RqJobQueue
from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.grading import SqlGrading
from consent.adapters.sql.ledger import utc_now
from consent.config import Settings
from tests.courses import course
from tests.e2e.stack import configure, post_signed
from tests.koski_server import PASSWORD, USER, RunningSandbox, running_sandbox
from tests.signing import event, person
from webhook.app import create_app
from workers.bootstrap import build_worker, dependencies

ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
MINOR = person(dt.date(2011, 4, 4), "Onni", "Korhonen")
GUARDIAN = person(dt.date(1980, 2, 2), "Maija", "Korhonen")


@pytest.fixture
def sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_client: redis.Redis
) -> Iterator[RunningSandbox]:
    """Web, worker and KOSKI sandbox configured through the environment, as in production."""
    with running_sandbox(tmp_path / "koski.db") as koski:
        configure(
            monkeypatch, tmp_path, KOSKI_URL=koski.url, KOSKI_USERNAME=USER, KOSKI_PASSWORD=PASSWORD
        )
        yield koski
        dependencies.cache_clear()


def test_signed_consents_and_passed_results_become_one_koski_record_each(
    sandbox: RunningSandbox, redis_client: redis.Redis
) -> None:
    client = create_app().test_client()
    assert post_signed(client, event(ADULT, ADULT), "msg_adult") == 202
    assert post_signed(client, event(MINOR, GUARDIAN), "msg_minor") == 202
    settings = Settings.from_env()
    store = SqlGrading(make_engine(settings.database_url), AesGcmCipher(settings.pii_keys), utc_now)
    the_course = course(end_date="2026-11-20")
    store.save_course(the_course, "test")
    rows = [
        {"hetu": m["hetu"], "grade": "hyväksytty", "graded_on": "2026-11-19"}
        for m in (ADULT, MINOR, GUARDIAN)
    ]
    jobs = RqJobQueue(redis_client)
    grading.import_results(the_course, rows, store, jobs, today=dt.date.today(), actor="test")
    build_worker(settings).work(burst=True)  # binds consents and results, sends to KOSKI
    stored = sandbox.stored()
    assert len(stored) == 2  # the guardian has a result but no consent of their own
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'vst_koski_answers_total{key="",status="200"} 2.0' in metrics
    assert 'vst_submissions{state="sent"} 2.0' in metrics
    states = sorted(
        r["submission"]["state"] for r in store.course_status(the_course.code) if r["submission"]
    )
    assert states == ["sent", "sent"]
    grading.import_results(the_course, rows, store, jobs, today=dt.date.today(), actor="test")
    build_worker(settings).work(burst=True)
    assert [s["versionumero"] for s in sandbox.stored()] == [1, 1]  # nothing sent twice
