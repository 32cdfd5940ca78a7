"""rq-dashboard behind staff tokens: anonymous refused, viewers look, operators change by POST."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import redis
from flask.testing import FlaskClient

from cli.dashboard import app
from consent.adapters.queues import RqJobQueue
from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.migrate import upgrade
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.config import Settings
from consent.staff import Role
from tests.conftest import REDIS_URL

HOST = "http://localhost"


@pytest.fixture
def dashboard(tmp_path: Path, redis_client: redis.Redis) -> tuple[FlaskClient, dict[Role, str]]:
    database_url = f"sqlite:///{tmp_path / 'ledger.db'}"
    upgrade(make_engine(database_url))
    tokens = SqlStaffTokens(make_engine(database_url), utc_now)
    issued = {role: tokens.create(f"{role.value}-person", role) for role in Role}
    SqlStaffAccounts(make_engine(database_url), utc_now).create(
        "olli.operator", "operaattorin-salasana", Role.OPERATOR
    )
    settings = Settings.from_env({"DATABASE_URL": database_url, "REDIS_URL": REDIS_URL})
    return app(settings).test_client(), issued


def basic(name: str, token: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{token}".encode()).decode()}


def test_anonymous_access_is_refused_with_a_login_prompt(
    dashboard: tuple[FlaskClient, dict[Role, str]],
) -> None:
    client, _ = dashboard
    response = client.get("/rq/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert client.get("/rq/", headers=basic("x", "vst_wrong")).status_code == 401


def test_a_viewer_sees_queues_whose_jobs_carry_row_ids_only(
    dashboard: tuple[FlaskClient, dict[Role, str]], redis_client: redis.Redis
) -> None:
    client, tokens = dashboard
    RqJobQueue(redis_client).enqueue_result_bindings([41])
    assert (
        client.get("/rq/", headers=basic("viewer-person", tokens[Role.VIEWER])).status_code == 200
    )
    jobs = client.get(
        "/rq/0/data/jobs/consent/queued/8/asc/1.json",
        headers={"Authorization": f"Bearer {tokens[Role.VIEWER]}"},
    )
    assert jobs.status_code == 200
    [job] = jobs.get_json()["jobs"]
    assert job["id"].startswith("bind-results-")
    assert job["id"].endswith("-41")
    assert "[41]" in job["description"]


def test_only_an_operator_may_change_jobs(dashboard: tuple[FlaskClient, dict[Role, str]]) -> None:
    client, tokens = dashboard
    same_site = {"Origin": HOST}
    staff = client.post(
        "/rq/queue/consent/failed/empty", headers={**basic("s", tokens[Role.STAFF]), **same_site}
    )
    assert staff.status_code == 403
    operator = client.post(
        "/rq/queue/consent/failed/empty", headers={**basic("o", tokens[Role.OPERATOR]), **same_site}
    )
    assert operator.status_code == 200


def test_a_change_from_another_site_is_refused(
    dashboard: tuple[FlaskClient, dict[Role, str]],
) -> None:
    client, tokens = dashboard
    headers = {**basic("o", tokens[Role.OPERATOR]), "Origin": "https://evil.example"}
    assert client.post("/rq/queue/consent/failed/empty", headers=headers).status_code == 403
    assert (
        client.post(
            "/rq/queue/consent/failed/empty", headers=basic("o", tokens[Role.OPERATOR])
        ).status_code
        == 403
    )


def test_nothing_changes_by_get(dashboard: tuple[FlaskClient, dict[Role, str]]) -> None:
    client, tokens = dashboard
    response = client.get("/rq/requeue/consent", headers=basic("o", tokens[Role.OPERATOR]))
    assert response.status_code == 405


def test_an_operator_logs_in_with_the_staff_pages_password(
    dashboard: tuple[FlaskClient, dict[Role, str]],
) -> None:
    client, _ = dashboard
    assert (
        client.get("/rq/", headers=basic("olli.operator", "operaattorin-salasana")).status_code
        == 200
    )
    assert client.get("/rq/", headers=basic("olli.operator", "vaara-salasana-x")).status_code == 401
