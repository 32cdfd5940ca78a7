"""An invalidation is audited with who asked for it and why, whichever way it came: the staff
action records both, the API reads the reason from its body and the CLI from ``--reason``."""

from __future__ import annotations

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import Engine

from cli.main import main
from consent import staff_actions
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.config import Settings
from consent.grading import INVALIDATION_REASONS
from consent.model import SubmissionState
from consent.staff import Actor, Role
from tests.integration import test_grading
from tests.integration.test_grading import ADULT, World, row, staff_services
from tests.sql_ledger import SqlLedgerForTests
from web.app import create_app
from web.staff_api.openapi import document

world = test_grading.world  # the same fixture: a ledger, its queues and the sandbox


def sent_record(world: World) -> int:
    """The submission id of one consented, passed result that reached KOSKI."""
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    assert world.work() == [SubmissionState.SENT]
    submission = world.course_status("knoppi-2026-syksy")[0]["submission"]
    return int(submission["id"])


def test_the_audit_trail_names_who_invalidated_a_record_and_why(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    submission_id = sent_record(world)
    services = staff_services(world, engine)
    state = staff_actions.invalidate(services, submission_id, Actor.staff("maija"), "wrong_person")
    assert state is SubmissionState.INVALIDATED
    trail = SqlLedgerForTests(engine, cipher).audit_trail("submission", submission_id)
    asked = [e for e in trail if e.action == "submission.invalidate"]
    assert [(e.actor, e.details) for e in asked] == [("staff:maija", {"reason": "wrong_person"})]
    done = [e for e in trail if e.action == "submission.invalidated"]
    assert [e.actor for e in done] == ["staff:maija"]  # not "worker", not "staff"


@pytest.fixture
def api(engine: Engine, redis_client: redis.Redis, koski_settings: Settings) -> FlaskClient:
    return create_app(koski_settings, engine=engine, broker=redis_client).test_client()


def test_the_api_reads_the_reason_from_the_body_and_refuses_one_that_is_not_a_code(
    api: FlaskClient, engine: Engine
) -> None:
    token = SqlStaffTokens(engine, utc_now).create("maija", Role.STAFF)
    staff = {"Authorization": f"Bearer {token}"}
    address = "/api/submissions/999/invalidate"
    assert api.post(address, json={"reason": 5}, headers=staff).status_code == 400
    assert api.post(address, json={"why": "x"}, headers=staff).status_code == 400
    assert api.post(address, data=b"{", headers=staff).status_code == 400
    unknown = api.post(address, json={"reason": "no idea"}, headers=staff)
    assert unknown.status_code == 422  # a string, but not a code: nothing is read
    assert api.post(address, json={"reason": "wrong_person"}, headers=staff).status_code == 404
    assert api.post(address, headers=staff).status_code == 404  # no body: no reason given


def test_the_command_takes_a_reason_code_and_who_asks(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    with pytest.raises(SystemExit):
        main(["koski", "invalidate", "999", "--reason", "because"])
    assert "invalid choice" in capsys.readouterr().err
    assert main(["koski", "invalidate", "999", "--reason", "other", "--by", "maija"]) == 1
    assert "no submission 999" in capsys.readouterr().err


def test_the_api_document_names_exactly_the_reason_codes_the_service_takes() -> None:
    operation = document()["paths"]["/api/submissions/{submission_id}/invalidate"]
    body = operation["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert tuple(body["properties"]["reason"]["enum"]) == INVALIDATION_REASONS
