"""Retry of parked or failed records through the API and the CLI (SQLite, PostgreSQL): one
record, or all of a course, each queued afresh and audited in the name of who asked."""

from __future__ import annotations

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import Engine

from cli.main import main
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.model import SubmissionState
from consent.staff import Role
from consent.submissions import SubmissionChange
from tests.conftest import REDIS_URL
from tests.integration import test_grading, test_send_again
from tests.integration.test_grading import ADULT, GUARDIAN, MINOR, STRANGER, World, row
from tests.sql_ledger import SqlLedgerForTests

world = test_grading.world  # the same fixtures: a ledger, its queues and the sandbox
cipher = test_send_again.cipher  # the key the web app and the commands open names with
web = test_send_again.web
CODE = "knoppi-2026-syksy"
PARKED = SubmissionChange(state=SubmissionState.PARKED, attempts=8)
FAILED = SubmissionChange(state=SubmissionState.FAILED, last_error_keys=("badRequest",))


def three_stuck(world: World) -> list[int]:
    """Three records sent, then one parked, one failed, one left sent; their ids."""
    world.consent(ADULT, ADULT, "m1")
    world.consent(MINOR, GUARDIAN, "m2")
    world.consent(STRANGER, STRANGER, "m3")
    world.import_rows([row(ADULT), row(MINOR), row(STRANGER)])
    world.work()
    ids = [r["submission"]["id"] for r in world.course_status(CODE)]
    world.submissions.change(ids[0], PARKED, "test")
    world.submissions.change(ids[1], FAILED, "test")
    return ids


def states(world: World) -> list[str]:
    return [r["submission"]["state"] for r in world.course_status(CODE)]


def retried_by(engine: Engine, cipher: AesGcmCipher, submission_id: int) -> list[str]:
    trail = SqlLedgerForTests(engine, cipher, utc_now).audit_trail("submission", submission_id)
    return [e.actor for e in trail if e.action == "submission.retry"]


def test_the_api_retries_one_record_or_all_of_a_course(
    world: World, engine: Engine, web: FlaskClient, cipher: AesGcmCipher
) -> None:
    parked, failed, sent = three_stuck(world)
    token = SqlStaffTokens(engine, utc_now).create("aino", Role.STAFF)
    headers = {"Authorization": f"Bearer {token}"}
    answer = web.post(f"/api/submissions/{parked}/retry", headers=headers)
    assert (answer.status_code, answer.json) == (202, {"submission": parked, "state": "pending"})
    assert web.post(f"/api/submissions/{sent}/retry", headers=headers).status_code == 409
    answer = web.post(f"/api/courses/{CODE}/retry", headers=headers)
    assert answer.json == {"course": CODE, "retried": [failed]}
    assert states(world) == ["pending", "pending", "sent"]
    assert retried_by(engine, cipher, failed) == ["staff:aino"]
    assert web.post("/api/courses/ei-ole/retry", headers=headers).status_code == 404


def test_a_viewer_may_not_retry(world: World, engine: Engine, web: FlaskClient) -> None:
    parked, _, _ = three_stuck(world)
    token = SqlStaffTokens(engine, utc_now).create("katsoja", Role.VIEWER)
    headers = {"Authorization": f"Bearer {token}"}
    assert web.post(f"/api/submissions/{parked}/retry", headers=headers).status_code == 403
    assert web.post(f"/api/courses/{CODE}/retry", headers=headers).status_code == 403
    assert states(world) == ["parked", "failed", "sent"]


def test_the_command_retries_one_record_or_all_of_a_course(
    world: World,
    engine: Engine,
    redis_client: redis.Redis,
    cipher: AesGcmCipher,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    parked, failed, sent = three_stuck(world)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    assert main(["koski", "retry", str(sent)]) == 1
    assert "neither parked nor failed" in capsys.readouterr().err
    assert main(["koski", "retry", str(parked), "--by", "maija"]) == 0
    assert main(["koski", "retry", "--course", CODE]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"1 submission(s) queued again: {failed}"
    assert states(world) == ["pending", "pending", "sent"]
    assert (retried_by(engine, cipher, parked), retried_by(engine, cipher, failed)) == (
        ["staff:maija"],
        ["cli"],
    )
    assert main(["koski", "retry", str(parked), "--course", CODE]) == 2
