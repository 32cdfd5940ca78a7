"""rq-dashboard with a real worker: its worker list answers while a worker runs one of our JSON
jobs, and every dashboard answer carries the security headers."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from flask.testing import FlaskClient

from cli.dashboard import app
from consent.adapters.queues import CONSENT_QUEUE, queue
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.config import Settings
from consent.staff import Role
from tests.e2e.stack import configure
from tests.processes import start_worker, stop

STARTED_WITHIN = 120  # seconds a worker may take to start and take the job on a slow day


@pytest.fixture
def viewer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[FlaskClient, dict[str, str]]:
    """The dashboard on a fresh ledger and the test Redis (configured through the environment,
    as a worker started next is), and a viewer's token header."""
    engine = configure(monkeypatch, tmp_path)
    token = SqlStaffTokens(engine, utc_now).create("viewer-person", Role.VIEWER)
    return app(Settings.from_env()).test_client(), {"Authorization": f"Bearer {token}"}


def test_the_worker_list_shows_a_worker_and_the_job_it_is_running(
    viewer: tuple[FlaskClient, dict[str, str]], redis_client: redis.Redis
) -> None:
    client, headers = viewer
    job = queue(CONSENT_QUEUE, redis_client).enqueue(
        "tests.jobs.wait_for_release", 7, job_id="wait-for-release-7"
    )
    worker = start_worker()
    try:
        started = redis_client.blpop(["test:started"], timeout=STARTED_WITHIN)
        assert started is not None, "the worker did not start the job"
        response = client.get("/rq/0/data/workers.json", headers=headers)
        assert response.status_code == 200, response.text[:300]
        [shown] = response.get_json()["workers"]
        assert shown["state"] == "busy"
        assert shown["current_job"]["job_id"] == job.id
        assert client.get("/rq/0/view/workers", headers=headers).status_code == 200
    finally:
        redis_client.rpush("test:release", 1)
        errors = stop(worker)
    assert "Traceback" not in errors, errors[-2000:]


def test_every_dashboard_answer_carries_the_security_headers(
    viewer: tuple[FlaskClient, dict[str, str]],
) -> None:
    client, headers = viewer
    for response in (
        client.get("/rq/"),  # the login prompt
        client.get("/rq/", headers=headers),
        client.get("/rq/0/data/queues.json", headers=headers),
        client.get("/rq/nowhere", headers=headers),
    ):
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
