"""The stack a record's lifecycle runs on, as staff and time drive it: the web app (signed
consents, the staff API and pages), the real RQ worker with its sweeper, a clock the test
moves on, and the KOSKI stand-in it all sends to."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.bootstrap import Services, bootstrap
from consent.config import Settings
from consent.staff import Role
from tests.e2e.stack import configure
from tests.koski_standin import PASSWORD, USER, KoskiStandIn, Put, running_standin
from web.app import create_app
from workers import sweeper
from workers.worker import build_worker

TRAINER, TRAINER_PASSWORD = "kaisa", "pitkä-ja-hyvä-salasana"


class Clock:
    """The stack's time, moved on by the test: real time plus ``ahead``."""

    def __init__(self) -> None:
        self.ahead = dt.timedelta(0)

    def __call__(self) -> dt.datetime:
        return utc_now() + self.ahead

    def today(self) -> dt.date:
        """The stack's today (the stand-in's too: KOSKI dates a mitätöinti by it)."""
        return self().date()


class StaffStack:
    """Web app, worker and stand-in on one set of services, driven as staff and days do."""

    def __init__(self, services: Services, koski: KoskiStandIn, clock: Clock) -> None:
        self.services, self.koski, self.clock = services, koski, clock
        self.web: FlaskClient = create_app(services=services).test_client()
        token = SqlStaffTokens(services.engine, clock).create("Kaisa K.", Role.STAFF)
        self.staff = {"Authorization": f"Bearer {token}"}
        SqlStaffAccounts(services.engine, clock).create(TRAINER, TRAINER_PASSWORD, Role.STAFF)
        self._logged_in = False

    def get(self, path: str) -> dict[str, Any]:
        """A staff API read's JSON body."""
        response = self.web.get(path, headers=self.staff)
        assert response.status_code == 200
        body: dict[str, Any] = response.get_json()
        return body

    def post(self, path: str, body: dict[str, Any] | None = None) -> int:
        """A staff API action; its status code."""
        status: int = self.web.post(path, json=body, headers=self.staff).status_code
        return status

    def put_course(self, doc: dict[str, Any]) -> None:
        """Save a course through the staff API."""
        response = self.web.put(f"/api/courses/{doc['code']}", json=doc, headers=self.staff)
        assert response.status_code == 200, response.get_json()

    def import_results(self, code: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
        """Import results through the staff API; its answer."""
        response = self.web.post(f"/api/courses/{code}/results", json=rows, headers=self.staff)
        assert response.status_code == 200, response.get_json()
        answer: dict[str, Any] = response.get_json()
        return answer

    def course_status(self, code: str) -> dict[str, dict[str, Any]]:
        """The course's status rows by initial (all the masked name shows: ``A.``)."""
        rows = self.get(f"/api/courses/{code}/status")["participants"]
        return {row["participant"]["name"][0]: row for row in rows}

    def page(self, path: str) -> str:
        """A staff page as a logged-in trainer gets it."""
        if not self._logged_in:
            form = self.web.get("/staff/login").get_data(as_text=True)
            found = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert found is not None
            login = {"csrf_token": found[1], "username": TRAINER, "password": TRAINER_PASSWORD}
            assert self.web.post("/staff/login", data=login).status_code == 302
            self._logged_in = True
        response = self.web.get(path)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    def work(self) -> list[Put]:
        """Let the worker run until its queues are empty; the PUTs KOSKI got meanwhile."""
        before = len(self.koski.puts)
        build_worker(services=self.services).work(burst=True)
        return self.koski.puts[before:]

    def day_passes(self, days: int) -> list[Put]:
        """Move on ``days`` days; the sweeper's pass and the worker run as on any day."""
        self.clock.ahead += dt.timedelta(days=days)
        before = len(self.koski.puts)
        sweeper.sweep(self.services)
        self.work()
        return self.koski.puts[before:]


@contextmanager
def lifecycle_services(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
) -> Iterator[tuple[Services, KoskiStandIn, Clock]]:
    """Web and worker configured through the environment, as in production, on the empty
    database ``database_url``, sending to a stand-in of their own, until the block ends."""
    clock = Clock()
    with running_standin(clock.today) as (koski, url):
        engine = configure(
            monkeypatch,
            tmp_path,
            database_url,
            KOSKI_URL=url,
            KOSKI_USERNAME=USER,
            KOSKI_PASSWORD=PASSWORD,
            KOSKI_RECONCILE_PAUSE_MS="0",
        )
        try:
            yield (
                bootstrap(Settings.from_env(), engine=engine, clock=clock, pre_ping=False),
                koski,
                clock,
            )
        finally:
            engine.dispose()
