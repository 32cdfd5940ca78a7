"""rq-dashboard with a real worker: its worker list answers while a worker runs one of our JSON
jobs, and every dashboard answer carries the security headers. An address of nothing, a change
RQ will not make, a broker outage and a job record RQ cannot read are plain 4xx or 5xx answers
that log neither the address nor a traceback."""

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


@pytest.fixture
def operator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[FlaskClient, dict[str, str]]:
    """The dashboard on a fresh ledger and the test Redis, and an operator's token header."""
    engine = configure(monkeypatch, tmp_path)
    token = SqlStaffTokens(engine, utc_now).create("operator-person", Role.OPERATOR)
    return app(Settings.from_env()).test_client(), {"Authorization": f"Bearer {token}"}


ADDRESSES_OF_NOTHING = (
    "/rq/0/view/job/nonexistent",
    "/rq/0/view/job/%00",
    "/rq/0/view/job/job010190-521Fx",  # a hetu glued to letters: never in a log
    "/rq/0/data/job/nonexistent.json",
    "/rq/0/data/job/%00.json",
    "/rq/0/data/jobs/consent/finished/abc/asc/1.json",
    "/rq/0/data/jobs/consent/finished/8/asc/abc.json",
    "/rq/0/data/jobs/consent/finished/8/asc/0.json",
    "/rq/0/data/jobs/consent/finished/0/asc/1.json",
    "/rq/0/data/jobs/consent/finished/99999999999999999999/asc/1.json",
    "/rq/0/data/jobs/consent/finished/8/asc/99999999999999999999.json",
    "/rq/0/data/jobs/consent/finished/8/sideways/1.json",
    "/rq/0/data/jobs/consent/bogus/8/asc/1.json",
    "/rq/0/view/jobs/consent/bogus/8/asc/1",
    "/rq/0/view/jobs/010190-521F/queued/8/asc/1",  # a queue name is shown: only ours exist
    "/rq/0/data/jobs/%00/queued/8/asc/1.json",
    "/rq/5/data/queues.json",
    "/rq/5/view",
    "/rq/1/view/workers",
)


@pytest.mark.parametrize("address", ADDRESSES_OF_NOTHING)
def test_an_address_of_no_job_registry_page_or_instance_is_a_plain_404_that_logs_nothing_of_it(
    viewer: tuple[FlaskClient, dict[str, str]], caplog: pytest.LogCaptureFixture, address: str
) -> None:
    client, headers = viewer
    with caplog.at_level("DEBUG"):
        response = client.get(address, headers=headers)
    assert response.status_code == 404, response.text[:300]
    assert response.mimetype == "text/plain"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    _assert_nothing_of_the_request_logged(caplog)


def test_requeueing_a_job_that_does_not_exist_is_a_plain_404(
    operator: tuple[FlaskClient, dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    client, headers = operator
    with caplog.at_level("DEBUG"):
        response = client.post(
            "/rq/job/nonexistent/requeue", headers={**headers, "Origin": "http://localhost"}
        )
        malformed = client.post(
            "/rq/job/job010190-521F%00/requeue", headers={**headers, "Origin": "http://localhost"}
        )
    assert (response.status_code, response.mimetype) == (404, "text/plain"), response.text
    assert (malformed.status_code, malformed.mimetype) == (404, "text/plain"), malformed.text
    _assert_nothing_of_the_request_logged(caplog)


def test_the_pages_and_data_of_real_registries_still_answer(
    viewer: tuple[FlaskClient, dict[str, str]], redis_client: redis.Redis
) -> None:
    client, headers = viewer
    job = queue(CONSENT_QUEUE, redis_client).enqueue("tests.jobs.wait_for_release", 7)
    for registry in ("queued", "failed", "deferred", "started", "finished", "scheduled"):
        for order in ("asc", "dsc"):
            address = f"/rq/0/data/jobs/consent/{registry}/200/{order}/1.json"
            assert client.get(address, headers=headers).status_code == 200, address
    assert (
        client.get("/rq/0/view/jobs/consent/canceled/8/dsc/3", headers=headers).status_code == 200
    )
    assert client.get("/rq/0/view/jobs", headers=headers).status_code == 200  # the Jobs tab
    default = client.get("/rq/0/data/jobs/default/queued/8/asc/1.json", headers=headers)
    assert (default.status_code, default.get_json()["jobs"]) == (200, [])  # what it then reads
    assert client.get(f"/rq/0/view/job/{job.id}", headers=headers).status_code == 200
    shown = client.get(f"/rq/0/data/job/{job.id}.json", headers=headers)
    assert (shown.status_code, shown.get_json()["id"]) == (200, job.id)


def test_a_broker_outage_is_a_503_that_logs_only_its_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    engine = configure(monkeypatch, tmp_path, REDIS_URL="redis://127.0.0.1:1/0")  # nobody there
    token = SqlStaffTokens(engine, utc_now).create("viewer-person", Role.VIEWER)
    client = app(Settings.from_env()).test_client()
    with caplog.at_level("DEBUG"):
        response = client.get(
            "/rq/0/data/queues.json", headers={"Authorization": f"Bearer {token}"}
        )
    assert (response.status_code, response.mimetype) == (503, "text/plain"), response.text
    assert "Retry-After" in response.headers
    _assert_nothing_of_the_request_logged(caplog)


def test_a_job_record_rq_cannot_read_is_a_plain_500_logging_only_the_error_type(
    viewer: tuple[FlaskClient, dict[str, str]],
    redis_client: redis.Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, headers = viewer
    redis_client.hset(  # RQ cannot read its creation time, which is a hetu's shape
        "rq:job:garbled-1", mapping={"created_at": "010190-521F", "data": "x", "status": "queued"}
    )
    with caplog.at_level("DEBUG"):
        for address in ("/rq/0/view/job/garbled-1", "/rq/0/data/job/garbled-1.json"):
            response = client.get(address, headers=headers)
            assert (response.status_code, response.mimetype) == (500, "text/plain")
    assert "error=ValueError" in caplog.text
    _assert_nothing_of_the_request_logged(caplog)


def test_a_request_without_a_login_is_a_401_whatever_its_address(
    viewer: tuple[FlaskClient, dict[str, str]],
) -> None:
    client, _ = viewer
    for address in ("/rq/5/view", "/rq/0/view/job/%00", "/rq/0/data/jobs/x/bogus/0/up/0.json"):
        assert client.get(address).status_code == 401, address


def _assert_nothing_of_the_request_logged(caplog: pytest.LogCaptureFixture) -> None:
    """No record names the address or carries a traceback (either could carry a hetu)."""
    for record in caplog.records:
        text = record.getMessage()
        assert "/rq/" not in text, text
        assert "010190" not in text, text
        assert record.exc_info is None, text
        assert record.exc_text is None, text


def test_changes_the_broker_or_rq_cannot_make_are_a_plain_409_or_404(
    operator: tuple[FlaskClient, dict[str, str]],
    redis_client: redis.Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, headers = operator
    headers = {**headers, "Origin": "http://localhost"}
    waiting = queue(CONSENT_QUEUE, redis_client).enqueue("tests.jobs.wait_for_release", 7)
    with caplog.at_level("DEBUG"):
        not_failed = client.post(f"/rq/job/{waiting.id}/requeue", headers=headers)
        empty = client.post("/rq/queue/signing/compact", headers=headers)
        unknown = client.post("/rq/queue/%00/compact", headers=headers)
        emptied = client.post("/rq/queue/010190-521F/queued/empty", headers=headers)
    assert (not_failed.status_code, not_failed.mimetype) == (409, "text/plain")
    assert (empty.status_code, empty.mimetype) == (409, "text/plain")
    assert (unknown.status_code, unknown.mimetype) == (404, "text/plain")
    assert (emptied.status_code, emptied.mimetype) == (404, "text/plain")
    _assert_nothing_of_the_request_logged(caplog)


def test_a_slash_redirect_of_the_dashboard_names_a_path_never_the_host_the_request_gave(
    viewer: tuple[FlaskClient, dict[str, str]],
) -> None:
    client, headers = viewer
    response = client.get("/rq/0", headers={**headers, "Host": "evil.example"})
    assert response.status_code == 308
    assert response.headers["Location"] == "/rq/0/"
