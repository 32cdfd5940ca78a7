"""A course's status costs the same number of statements at any size (SQLite, PostgreSQL):
the read model, the staff API and the staff page each read it in one query set, never a
query per participant, so a course of 10,000 answers as one of 10 does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import Engine

from consent import binding, grading
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.ledger import SqlLedger, utc_now
from consent.adapters.sql.results import SqlResults
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.adapters.sql.status import SqlStatus
from consent.config import Settings
from consent.hetu import Hetu
from consent.model import InboxDelivery
from consent.results import ImportedResult, ResultStatus
from consent.staff import Role
from tests.courses import course
from tests.fakes import RecordingGradingJobs
from tests.hetus import make_hetu
from tests.integration.test_status import counted_statements
from tests.signing import body_of, event
from web.app import create_app

NOW = dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC)
PASSWORD = "pitkä-ja-hyvä-salasana"
SMALL, LARGE = 10, 1000


def _fill(engine: Engine, cipher: AesGcmCipher, code: str, size: int, first: int) -> None:
    """A course of ``size`` participants as a course is in use: a result for all but a tenth,
    a consent for two in three (some with no result yet), the consented results bound (so
    most have a submission) and the rest judged without consent."""
    SqlCourses(engine, lambda: NOW).save_course(course(code=code, end_date="2026-12-15"), "test")
    hetus = [
        make_hetu(dt.date(1970, 1, 1) + dt.timedelta(days=first + n), 500) for n in range(size)
    ]
    ledger = SqlLedger(engine, cipher, lambda: NOW)
    for n, hetu in enumerate(hetus):
        if n % 3:
            member = {"hetu": hetu, "first_names": "Etu", "last_name": "Suku"}
            document = event(member, member, course=code, document_id=f"{code}-{n}")
            delivery = InboxDelivery(
                "signing", f"{code}-{n}", 1, "v1,x", "k", "consent.signed", body_of(document), NOW
            )
            binding.bind_consent(ledger.store_delivery(delivery).inbox_id, ledger, lambda: NOW)
    graded = [
        ImportedResult(
            n, Hetu(h), "Etu", "Suku", "hyväksytty", NOW.date(), ResultStatus.COMPLETED, {}
        )
        for n, h in enumerate(hetus[: size - size // 10], start=1)
    ]
    results = SqlResults(engine, cipher, lambda: NOW)
    changed, _ = results.store_results(code, graded, "test")
    grading.bind_results(changed, results, RecordingGradingJobs(), "vst")


def _rows(size: int) -> int:
    """How many rows the status of a course :func:`_fill` made has: every result, and every
    consent with no result yet."""
    return sum(1 for n in range(size) if n < size - size // 10 or n % 3)


@pytest.fixture
def settings() -> Settings:
    """The local defaults (their PII key seals the ledger the app reads), KOSKI unreachable."""
    return Settings.from_env({"KOSKI_URL": "http://127.0.0.1:9/koski"})


@pytest.fixture
def filled(engine: Engine, settings: Settings) -> Engine:
    """The ledger with a course of SMALL and one of LARGE participants."""
    cipher = AesGcmCipher(settings.pii_keys)
    _fill(engine, cipher, "pieni-2026", SMALL, 0)
    _fill(engine, cipher, "suuri-2026", LARGE, SMALL)
    return engine


@pytest.fixture
def client(filled: Engine, settings: Settings, redis_client: redis.Redis) -> FlaskClient:
    """The web app on the filled ledger and the real Redis."""
    return create_app(settings, engine=filled, broker=redis_client).test_client()


def _statements(engine: Engine, read: Callable[[], object]) -> int:
    """How many statements ``read`` runs."""
    with counted_statements(engine) as statements:
        read()
    return len(statements)


def test_a_course_of_1000_is_read_answered_and_shown_in_as_many_statements_as_one_of_10(
    client: FlaskClient, filled: Engine, settings: Settings
) -> None:
    status = SqlStatus(filled, AesGcmCipher(settings.pii_keys))
    small = _statements(filled, lambda: status.course_status("pieni-2026"))
    large = _statements(filled, lambda: status.course_status("suuri-2026"))
    assert len(status.course_status("suuri-2026")) == _rows(LARGE)
    assert large == small  # the read model
    token = SqlStaffTokens(filled, utc_now).create("lukija", Role.VIEWER)
    headers = {"Authorization": f"Bearer {token}"}

    def api(code: str) -> Callable[[], object]:
        return lambda: client.get(f"/api/courses/{code}/status", headers=headers)

    api("pieni-2026")()  # the first request's own start-up
    small, large = _statements(filled, api("pieni-2026")), _statements(filled, api("suuri-2026"))
    answer = client.get("/api/courses/suuri-2026/status", headers=headers)
    assert len(answer.json["participants"]) == _rows(LARGE)  # type: ignore[index]  # JSON, checked here
    assert large == small  # the staff API
    _log_in(client, filled)

    def page(code: str) -> Callable[[], object]:
        return lambda: client.get(f"/staff/courses/{code}")

    page("pieni-2026")()
    small, large = _statements(filled, page("pieni-2026")), _statements(filled, page("suuri-2026"))
    assert client.get("/staff/courses/suuri-2026").text.count("<tr") >= _rows(LARGE)
    assert large == small  # the staff page


def _log_in(client: FlaskClient, engine: Engine) -> None:
    """Open a session on the staff pages as a viewer."""
    SqlStaffAccounts(engine, utc_now).create("lukija", PASSWORD, Role.VIEWER)
    form = client.get("/staff/login").text
    csrf = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    data = {"csrf_token": csrf, "username": "lukija", "password": PASSWORD}
    assert client.post("/staff/login", data=data).status_code == 302
