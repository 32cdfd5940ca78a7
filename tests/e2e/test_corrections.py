"""Corrections through the real RQ worker: a course edit sends the changed records again, a
regrade to failed leaves KOSKI's record in place and asks staff to decide, and an invalidated
record sent again is a new record in the KOSKI sandbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

import redis

from consent import grading, staff_actions
from consent.adapters.queues import RqJobQueue
from consent.bootstrap import staff_services, worker_services
from consent.config import Settings
from consent.staff import Actor
from tests.courses import course
from tests.e2e import test_consent_to_koski
from tests.e2e.test_consent_to_koski import ADULT, MINOR, _course_status, _signed_and_imported
from tests.koski_server import RunningSandbox
from workers.worker import build_worker

sandbox = test_consent_to_koski.sandbox  # web, worker and sandbox configured as in production
MAIJA = Actor.staff("maija")


def _work() -> None:
    build_worker(Settings.from_env()).work(burst=True)


def _submission(member: dict[str, str]) -> dict[str, object]:
    """The member's submission in the course's status (rows are masked to the hetu's end)."""
    row = next(
        r for r in _course_status() if r["participant"]["hetu"].endswith(member["hetu"][-4:])
    )
    submission: dict[str, object] = row["submission"]
    return submission


def test_a_course_edit_a_regrade_and_a_send_again_keep_koski_right(
    sandbox: RunningSandbox, redis_client: redis.Redis
) -> None:
    client, _, _ = _signed_and_imported(redis_client, (ADULT, MINOR))
    _work()
    services = worker_services()
    staff = staff_services(services)
    edited = course(end_date="2026-11-20", opintokokonaisuus="1139")
    staff_actions.save_course(staff, edited, MAIJA)
    _work()
    stored: list[Any] = sandbox.stored()
    codes = {
        s["suoritukset"][0]["koulutusmoduuli"]["opintokokonaisuus"]["koodiarvo"] for s in stored
    }
    assert (codes, [s["versionumero"] for s in stored]) == ({"1139"}, [2, 2])

    failed = [{"hetu": ADULT["hetu"], "grade": "hylätty", "graded_on": "2026-11-19"}]
    jobs = RqJobQueue(redis_client)
    grading.import_results(edited, failed, services.results, jobs, today=dt.date.today(), actor="t")
    _work()
    assert (_submission(ADULT)["state"], _submission(ADULT)["attention"]) == (
        "attention",
        "not_passed",
    )
    assert len(sandbox.stored()) == 2  # nothing invalidated without a person deciding
    assert 'vst_submissions{state="attention"} 1.0' in client.get("/metrics").get_data(as_text=True)

    minor = _submission(MINOR)
    assert isinstance(minor["id"], int)
    staff_actions.invalidate(staff, minor["id"], MAIJA, "wrong_result")
    assert len(sandbox.stored()) == 1
    staff_actions.send_again(staff, minor["id"], MAIJA)
    _work()
    assert len(sandbox.stored()) == 2
    assert _submission(MINOR)["state"] == "sent"
    assert _submission(MINOR)["oid"] != minor["oid"]
