"""The attention list through the staff API and the CLI (SQLite, PostgreSQL): any role
reads it, masked; only the staff role marks an item seen or retries all, the count shown
before equal to the count retried, each record audited in the staff member's name."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

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
from tests.integration.test_grading import ADULT, World, row
from tests.integration.test_retry import retried_by, states, three_stuck
from tests.integration.test_staff_pages import GOOD_PASSWORD, token
from tests.integration.test_status import counted_statements
from tests.signing import person

world = test_grading.world
cipher = test_send_again.cipher
web = test_send_again.web
CODE = "knoppi-2026-syksy"


def headers(engine: Engine, role: Role, name: str = "aino") -> dict[str, str]:
    token = SqlStaffTokens(engine, utc_now).create(name, role)
    return {"Authorization": f"Bearer {token}"}


def test_a_viewer_reads_the_list_grouped_counted_and_masked(
    world: World, engine: Engine, web: FlaskClient
) -> None:
    _, failed, _ = three_stuck(world)
    answer = web.get("/api/attention", headers=headers(engine, Role.VIEWER))
    assert answer.status_code == 200
    body = answer.json
    assert body is not None
    assert (body["total"], body["unseen"]) == (2, 2)
    assert [(g["kind"], g["count"]) for g in body["groups"]] == [("failed", 1), ("parked", 1)]
    item = body["groups"][0]["items"][0]
    assert (item["submission_id"], item["codes"]) == (failed, ["badRequest"])
    assert item["link"] == f"/staff/courses/{CODE}#submission-{failed}"
    assert ADULT["hetu"] not in answer.get_data(as_text=True)
    assert all(g["items"][0]["participant"]["hetu"].startswith("******") for g in body["groups"])


def test_an_empty_list_answers_zero(engine: Engine, web: FlaskClient) -> None:
    answer = web.get("/api/attention", headers=headers(engine, Role.VIEWER))
    assert answer.json == {"total": 0, "unseen": 0, "groups": []}


def test_staff_retry_all_retries_what_the_list_counts_and_a_viewer_may_not(
    world: World, engine: Engine, web: FlaskClient, cipher: AesGcmCipher
) -> None:
    parked, failed, _ = three_stuck(world)
    viewer = headers(engine, Role.VIEWER, "katsoja")
    assert web.post("/api/attention/retry", headers=viewer).status_code == 403
    assert states(world) == ["parked", "failed", "sent"]
    staff = headers(engine, Role.STAFF)
    counted = web.get("/api/attention", headers=staff).json
    assert counted is not None
    answer = web.post("/api/attention/retry", headers=staff)
    assert answer.status_code == 200
    assert sorted(answer.json["retried"]) == sorted([parked, failed])  # type: ignore[index]  # JSON
    assert counted["total"] == len(answer.json["retried"])  # type: ignore[index]  # JSON
    assert states(world) == ["pending", "pending", "sent"]
    assert (
        retried_by(engine, cipher, parked) == retried_by(engine, cipher, failed) == ["staff:aino"]
    )
    assert web.get("/api/attention", headers=staff).json["total"] == 0  # type: ignore[index]  # JSON


def test_marking_seen_needs_the_staff_role_a_listed_key_and_a_valid_body(
    world: World, engine: Engine, web: FlaskClient
) -> None:
    three_stuck(world)
    staff, viewer = headers(engine, Role.STAFF), headers(engine, Role.VIEWER, "katsoja")
    listed = web.get("/api/attention", headers=staff).json
    assert listed is not None
    key = listed["groups"][0]["items"][0]["key"]
    body = json.dumps({"key": key})
    json_headers = {"Content-Type": "application/json"}
    seen = web.post("/api/attention/seen", data=body, headers={**viewer, **json_headers})
    assert seen.status_code == 403
    for bad in ("", "[]", '{"key": 1}', '{"key": "x", "more": 1}'):
        answer = web.post("/api/attention/seen", data=bad, headers={**staff, **json_headers})
        assert answer.status_code == 400, bad
    missing = json.dumps({"key": "failed:999999"})
    answer = web.post("/api/attention/seen", data=missing, headers={**staff, **json_headers})
    assert answer.status_code == 404
    answer = web.post("/api/attention/seen", data=body, headers={**staff, **json_headers})
    assert (answer.status_code, answer.json) == (200, {"key": key, "seen": True})
    after = web.get("/api/attention", headers=staff).json
    assert after is not None
    assert (after["total"], after["unseen"], after["groups"][0]["items"][0]["seen"]) == (2, 1, True)


@pytest.fixture
def command_line(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """``vst-consent`` run against the world's ledger and the test Redis."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("REDIS_URL", REDIS_URL)


@pytest.mark.usefixtures("command_line")
def test_the_command_lists_marks_seen_and_retries_after_showing_the_count(
    world: World,
    engine: Engine,
    redis_client: redis.Redis,
    cipher: AesGcmCipher,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["attention"]) == 0
    assert capsys.readouterr().out.strip() == "nothing needs attention"
    parked, failed, _ = three_stuck(world)
    assert main(["attention", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(g["kind"], g["count"]) for g in listed["groups"]] == [("failed", 1), ("parked", 1)]
    key = listed["groups"][1]["items"][0]["key"]
    assert main(["attention", "seen", key, "--by", "maija"]) == 0
    assert main(["attention", "seen", "failed:999999"]) == 1
    assert main(["attention"]) == 0
    out = capsys.readouterr().out
    assert "2 item(s) need attention, 1 unseen" in out
    assert f"{key}  {CODE}" in out
    assert "[seen]" in out
    assert ADULT["hetu"] not in out
    assert main(["attention", "retry"]) == 0
    assert "2 failed or parked submission(s) would be sent again" in capsys.readouterr().out
    assert states(world) == ["parked", "failed", "sent"]  # only counted
    assert main(["attention", "retry", "--yes", "--by", "maija"]) == 0
    assert capsys.readouterr().out.startswith("2 submission(s) queued again")
    assert states(world) == ["pending", "pending", "sent"]
    assert (
        retried_by(engine, cipher, parked) == retried_by(engine, cipher, failed) == ["staff:maija"]
    )


def test_the_api_and_the_front_page_cost_as_many_statements_for_many_items_as_for_few(
    world: World, engine: Engine, web: FlaskClient
) -> None:
    staff = headers(engine, Role.STAFF)
    data = {"csrf_token": token(web), "username": "staff", "password": GOOD_PASSWORD}
    assert web.post("/staff/login", data=data).status_code == 302

    def statements(path: str, **kw: Any) -> int:
        with counted_statements(engine) as run:
            assert web.get(path, **kw).status_code == 200
        return len(run)

    three_stuck(world)
    web.get("/api/attention", headers=staff)  # the first request's own start-up
    few = statements("/api/attention", headers=staff), statements("/staff/")
    people = [person(dt.date(1960, 1, 1) + dt.timedelta(days=n)) for n in range(30)]
    for n, member in enumerate(people):
        world.consent(member, member, f"many-{n}")
    world.import_rows([row(member) for member in people])
    world.work()
    for status in world.course_status(CODE)[3:]:
        failed = SubmissionChange(state=SubmissionState.FAILED, last_error_keys=("badRequest",))
        world.submissions.change(status["submission"]["id"], failed, "test")
    answer = web.get("/api/attention", headers=staff).json
    assert answer is not None
    assert answer["total"] == 32
    assert (statements("/api/attention", headers=staff), statements("/staff/")) == few
