"""A result for a course that ends later, with a failed part, through the real worker: it
waits, and on its day the sweeper and the worker send it without anyone acting, carrying
only the passed part, as keskeytynyt dated on the course's end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import Engine

from consent import grading
from consent.adapters.queues import RqJobQueue
from consent.adapters.sql.ledger import utc_now
from consent.bootstrap import bootstrap
from consent.config import Settings
from tests.courses import course
from tests.e2e.stack import configure, post_signed
from tests.koski_server import PASSWORD, USER, RunningSandbox, running_sandbox
from tests.signing import event, person
from tests.status import status_rows
from web.app import create_app
from workers import sweeper
from workers.worker import build_worker

ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")


class Clock:
    """The worker's time, moved on by the test: real time plus ``ahead``."""

    def __init__(self) -> None:
        self.ahead = dt.timedelta(0)

    def __call__(self) -> dt.datetime:
        return utc_now() + self.ahead


@pytest.fixture
def stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_client: redis.Redis
) -> Iterator[tuple[RunningSandbox, Engine]]:
    """Web, worker and KOSKI sandbox configured through the environment, as in production."""
    with running_sandbox(tmp_path / "koski.db") as koski:
        engine = configure(
            monkeypatch, tmp_path, KOSKI_URL=koski.url, KOSKI_USERNAME=USER, KOSKI_PASSWORD=PASSWORD
        )
        yield koski, engine
        engine.dispose()


def test_a_result_dated_after_today_is_sent_on_its_day_with_only_its_passed_part(
    stack: tuple[RunningSandbox, Engine], redis_client: redis.Redis
) -> None:
    sandbox, _ = stack
    assert post_signed(create_app().test_client(), event(ADULT, ADULT), "msg_adult") == 202
    clock = Clock()
    services = bootstrap(Settings.from_env(), clock=clock, pre_ping=False)
    today = clock().date()
    ends = today + dt.timedelta(days=20)
    the_course = course(end_date=ends.isoformat())
    services.courses.save_course(the_course, "test")
    row: dict[str, Any] = {
        "hetu": ADULT["hetu"],
        "grade": "hyväksytty",
        "graded_on": today.isoformat(),
        "parts": {"KP-2": "hylätty"},
    }
    jobs = RqJobQueue(redis_client)
    grading.import_results(the_course, [row], services.results, jobs, today=today, actor="t")
    build_worker(services=services).work(burst=True)
    assert sandbox.stored() == []
    [waiting] = status_rows(services.status, the_course.code)
    assert (waiting["binding"], waiting["submission"]) == ("waiting_for_end", None)

    clock.ahead = dt.timedelta(days=20)  # the course's last day
    assert sweeper.sweep(services).get("results") == 1
    build_worker(services=services).work(burst=True)
    [stored] = sandbox.stored()
    jakso = stored["tila"]["opiskeluoikeusjaksot"]  # type: ignore[index]  # a JSON document
    assert [(j["alku"], j["tila"]["koodiarvo"]) for j in jakso] == [
        (ends.isoformat(), "keskeytynyt")
    ]
    suoritus = stored["suoritukset"][0]  # type: ignore[index]  # a JSON document
    assert [o["koulutusmoduuli"]["tunniste"]["koodiarvo"] for o in suoritus["osasuoritukset"]] == [
        "KP-1"
    ]
    assert "vahvistus" not in suoritus
    [sent] = status_rows(services.status, the_course.code)
    assert (sent["binding"], sent["submission"]["state"]) == ("eligible", "sent")
