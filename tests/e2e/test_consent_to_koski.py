"""From a signed webhook to a record in the KOSKI sandbox, through the real RQ worker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask.testing import FlaskClient

from consent import grading
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.queues import (
    KOSKI_QUEUE,
    RqJobQueue,
    queue,
    submission_range,
    submission_range_job,
)
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.results import SqlResults
from consent.adapters.sql.status import SqlStatus
from consent.adapters.sql.submissions import SqlSubmissions
from consent.bootstrap import worker_services
from consent.config import Settings
from consent.errors import SendingFailed
from consent.submissions import SendView, SubmissionChange
from tests.courses import course
from tests.e2e.stack import configure, post_signed
from tests.koski_server import PASSWORD, USER, RunningSandbox, running_sandbox
from tests.signing import event, person
from tests.status import status_rows
from web.app import create_app
from workers import jobs as workers_jobs
from workers import sweeper
from workers.worker import build_worker

ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
MINOR = person(dt.date(2011, 4, 4), "Onni", "Korhonen")
GUARDIAN = person(dt.date(1980, 2, 2), "Maija", "Korhonen")
COURSE = course().code


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


def _signed_and_imported(
    redis_client: redis.Redis, passed: tuple[dict[str, str], ...]
) -> tuple[FlaskClient, SqlSubmissions, Callable[[], None]]:
    """ADULT and MINOR (through GUARDIAN) sign; ``passed`` pass the course and are imported.
    Returns the web client, the ledger, and what imports the same results again."""
    client = create_app().test_client()
    assert post_signed(client, event(ADULT, ADULT), "msg_adult") == 202
    assert post_signed(client, event(MINOR, GUARDIAN), "msg_minor") == 202
    settings = Settings.from_env()
    engine, cipher = make_engine(settings.database_url), AesGcmCipher(settings.pii_keys)
    results = SqlResults(engine, cipher, utc_now)
    the_course = course(end_date="2026-11-20")
    SqlCourses(engine, utc_now).save_course(the_course, "test")
    rows = [{"hetu": m["hetu"], "grade": "hyväksytty", "graded_on": "2026-11-19"} for m in passed]
    jobs = RqJobQueue(redis_client)

    def imported() -> None:
        grading.import_results(the_course, rows, results, jobs, today=dt.date.today(), actor="test")

    imported()
    return client, SqlSubmissions(engine, cipher, utc_now), imported


def _course_status() -> list[dict[str, Any]]:
    """The course's status as staff get it (JSON)."""
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    try:
        return status_rows(SqlStatus(engine, AesGcmCipher(settings.pii_keys)), COURSE)
    finally:
        engine.dispose()


def test_signed_consents_and_passed_results_become_one_koski_record_each(
    sandbox: RunningSandbox, redis_client: redis.Redis
) -> None:
    client, _, imported = _signed_and_imported(redis_client, (ADULT, MINOR, GUARDIAN))
    settings = Settings.from_env()
    build_worker(settings).work(burst=True)  # binds consents and results, sends to KOSKI
    stored = sandbox.stored()
    assert len(stored) == 2  # the guardian has a result but no consent of their own
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'vst_koski_answers_total{key="",status="200"} 2.0' in metrics
    assert 'vst_submissions{state="sent"} 2.0' in metrics
    states = sorted(r["submission"]["state"] for r in _course_status() if r["submission"])
    assert states == ["sent", "sent"]
    imported()
    build_worker(settings).work(burst=True)
    assert [s["versionumero"] for s in sandbox.stored()] == [1, 1]  # nothing sent twice


def test_submissions_whose_jobs_vanished_are_sent_after_a_sweep(
    sandbox: RunningSandbox, redis_client: redis.Redis
) -> None:
    _, store, _ = _signed_and_imported(redis_client, (ADULT, MINOR))
    deps = worker_services()
    for inbox_id in (1, 2):
        workers_jobs.bind_consent(inbox_id, deps)  # binds, and queues the results' binding
    result_ids = [r["result_id"] for r in _course_status()]
    workers_jobs.bind_results(result_ids, deps)  # and queues their first sends: one range job
    first, retried = sorted(r["submission"]["id"] for r in _course_status())
    long_ago = utc_now() - dt.timedelta(hours=1)
    store.change(
        retried, SubmissionChange(next_attempt_at=long_ago), "test"
    )  # a retry whose job was due
    redis_client.flushdb()  # Redis lost every job

    assert sweeper.sweep(deps) == {"submissions": 1, "submissions_lost": 1}
    waiting = queue(KOSKI_QUEUE, redis_client).get_jobs()
    assert {job.id for job in waiting} == {
        submission_range_job(submission_range(first)[0]),
        f"submit-{retried}",
    }
    build_worker(services=deps).work(burst=True)
    assert len(sandbox.stored()) == 2


def test_a_range_that_fails_for_one_submission_still_logs_the_others(
    sandbox: RunningSandbox,
    redis_client: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _signed_and_imported(redis_client, (ADULT, MINOR))
    deps = worker_services()
    for inbox_id in (1, 2):
        workers_jobs.bind_consent(inbox_id, deps)
    workers_jobs.bind_results([r["result_id"] for r in _course_status()], deps)
    sent, broken = sorted(r["submission"]["id"] for r in _course_status())
    send_view = deps.submissions.send_view

    def database_gone_for_one(submission_id: int) -> SendView:
        if submission_id == broken:
            raise TimeoutError("the database went away")
        return send_view(submission_id)

    monkeypatch.setattr(deps.submissions, "send_view", database_gone_for_one)
    first, last = submission_range(sent)
    caplog.clear()
    with caplog.at_level("INFO", logger="vst.worker"), pytest.raises(SendingFailed):
        workers_jobs.submit_range(first, last, deps)
    assert [record.getMessage() for record in caplog.records if record.name == "vst.worker"] == [
        f"submission.sent submission_id={sent}"  # before RQ hears of the failure
    ]
    assert len(sandbox.stored()) == 1
