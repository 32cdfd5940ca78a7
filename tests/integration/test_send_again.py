"""Send again after an invalidation (SQLite, PostgreSQL): the staff action, through the API,
the pages and the CLI, makes the invalidated record pending and KOSKI gets a new record."""

from __future__ import annotations

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import Engine

from cli.main import main
from consent import grading, staff_actions
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.config import Settings
from consent.errors import NotInvalidated
from consent.model import SubmissionState
from consent.staff import Actor, Role
from tests.conftest import REDIS_URL
from tests.integration import test_grading
from tests.integration.test_grading import ADULT, NOW, World, row, staff_services
from tests.integration.test_staff_pages import GOOD_PASSWORD, post, token
from tests.sql_ledger import SqlLedgerForTests
from web.app import create_app

world = test_grading.world  # the same fixture: a ledger, its queues and the sandbox
CODE = "knoppi-2026-syksy"
PAGE = f"/staff/courses/{CODE}"


def invalidated(world: World) -> int:
    """A record sent to KOSKI and invalidated there; its submission's id."""
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    world.work()
    submission_id: int = world.course_status(CODE)[0]["submission"]["id"]
    grading.invalidate(submission_id, world.submissions, world.koski, lambda: NOW, actor="t")
    assert world.sandbox.stored() == []
    return submission_id


def state_of(world: World) -> str:
    state: str = world.course_status(CODE)[0]["submission"]["state"]
    return state


@pytest.fixture
def cipher() -> AesGcmCipher:
    """The local settings' key, which the web app opens the world's names with."""
    return AesGcmCipher(Settings.from_env({}).pii_keys)


@pytest.fixture
def web(engine: Engine, redis_client: redis.Redis, koski_settings: Settings) -> FlaskClient:
    """The web app on the world's ledger, with a staff account and token."""
    SqlStaffAccounts(engine, utc_now).create("staff", GOOD_PASSWORD, Role.STAFF)
    return create_app(koski_settings, engine=engine, broker=redis_client).test_client()


def test_an_invalidated_record_sent_again_is_a_new_record_under_the_same_source_id(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    submission_id = invalidated(world)
    staff_actions.send_again(staff_services(world, engine), submission_id, Actor.staff("maija"))
    assert world.work() == [SubmissionState.SENT]
    [stored] = world.sandbox.stored()
    status = world.course_status(CODE)[0]["submission"]
    assert (status["state"], status["oid"]) == ("sent", stored["oid"])
    audit = SqlLedgerForTests(engine, cipher, utc_now)
    actions = [(e.actor, e.action) for e in audit.audit_trail("submission", submission_id)]
    assert ("staff:maija", "submission.send_again") in actions


def test_a_record_not_invalidated_is_not_sent_again(world: World, engine: Engine) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    world.work()
    submission_id = world.course_status(CODE)[0]["submission"]["id"]
    with pytest.raises(NotInvalidated):
        staff_actions.send_again(staff_services(world, engine), submission_id, Actor.staff("maija"))
    assert world.jobs.submissions == []
    assert state_of(world) == "sent"


def test_the_api_sends_again_an_invalidated_record_and_refuses_any_other(
    world: World, engine: Engine, web: FlaskClient
) -> None:
    submission_id = invalidated(world)
    headers = {
        "Authorization": f"Bearer {SqlStaffTokens(engine, utc_now).create('aino', Role.STAFF)}"
    }
    path = f"/api/submissions/{submission_id}/send-again"
    answer = web.post(path, headers=headers)
    assert (answer.status_code, answer.json) == (
        202,
        {"submission": submission_id, "state": "pending"},
    )
    assert state_of(world) == "pending"
    assert web.post(path, headers=headers).status_code == 409
    assert web.post("/api/submissions/999/send-again", headers=headers).status_code == 404


def test_the_page_offers_sending_again_on_an_invalidated_row(
    world: World, web: FlaskClient
) -> None:
    submission_id = invalidated(world)
    data = {"csrf_token": token(web), "username": "staff", "password": GOOD_PASSWORD}
    assert web.post("/staff/login", data=data).status_code == 302
    assert "Lähetä uudelleen" in web.get(PAGE).text
    path = f"/staff/submissions/{submission_id}/send-again"
    assert post(web, path, {"back": PAGE}, PAGE).startswith(f"302 {PAGE}")
    assert "uusi opiskeluoikeus" in web.get(PAGE).text
    assert state_of(world) == "pending"
    post(web, path, {"back": PAGE}, PAGE)
    assert "Vain mitätöidyn suorituksen voi lähettää uudelleen." in web.get(PAGE).text


def test_the_command_sends_again_an_invalidated_record_in_the_name_it_is_given(
    world: World,
    redis_client: redis.Redis,
    cipher: AesGcmCipher,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    submission_id = invalidated(world)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    assert main(["koski", "send-again", str(submission_id), "--by", "maija"]) == 0
    assert state_of(world) == "pending"
    trail = SqlLedgerForTests(engine, cipher, utc_now).audit_trail("submission", submission_id)
    assert ("staff:maija", "submission.send_again") in [(e.actor, e.action) for e in trail]
    assert main(["koski", "send-again", str(submission_id)]) == 1
    assert "is not invalidated" in capsys.readouterr().err
