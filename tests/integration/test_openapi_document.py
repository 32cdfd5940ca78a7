"""The OpenAPI document says what the server answers: real answers validate against it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from sqlalchemy import Engine

from consent import binding, grading
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.ledger import SqlLedger, utc_now
from consent.adapters.sql.results import SqlResults
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.adapters.sql.status import SqlStatus
from consent.config import Settings
from consent.model import InboxDelivery
from consent.staff import Role
from tests.courses import course
from tests.koski_server import PASSWORD, USER, running_sandbox
from tests.signing import body_of, event, person
from tests.status import status_rows
from web.app import create_app
from web.staff_api.openapi import document

ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


class QueuedJobs:
    """Keeps what grading queues, so the test runs it by hand."""

    def __init__(self) -> None:
        self.results: list[int] = []

    def enqueue_result_bindings(self, result_ids: Iterable[int]) -> None:
        self.results.extend(result_ids)

    def enqueue_submissions(self, submission_ids: Iterable[int]) -> None:
        pass

    def enqueue_submission(self, submission_id: int, delay: dt.timedelta | None = None) -> None:
        pass


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    with running_sandbox(tmp_path / "koski.db") as koski:
        yield Settings.from_env(
            {"KOSKI_URL": koski.url, "KOSKI_USERNAME": USER, "KOSKI_PASSWORD": PASSWORD}
        )


@pytest.fixture
def api(settings: Settings, engine: Engine, redis_client: redis.Redis) -> FlaskClient:
    return create_app(settings, engine=engine, broker=redis_client).test_client()


@pytest.fixture
def staff(engine: Engine) -> dict[str, str]:
    return {"Authorization": f"Bearer {SqlStaffTokens(engine, utc_now).create('s', Role.STAFF)}"}


def _validator(path: str, method: str, status: int, media_type: str) -> Draft202012Validator:
    """The document's schema for one answer, with the components its references point to."""
    spec = document()
    answer = spec["paths"][path][method]["responses"][str(status)]
    if "$ref" in answer:
        answer = spec["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
    schema = answer["content"][media_type]["schema"]
    return Draft202012Validator({**schema, "components": spec["components"]})


def _consent_with_a_submission(settings: Settings, engine: Engine) -> int:
    """A consent whose passed result is bound for sending; the consent's id."""
    cipher = AesGcmCipher(settings.pii_keys)
    store = SqlResults(engine, cipher, lambda: NOW)
    ledger = SqlLedger(engine, cipher, lambda: NOW)
    the_course = course(end_date="2026-11-15")
    SqlCourses(engine, lambda: NOW).save_course(the_course, "test")
    delivery = InboxDelivery(
        "signing", "m1", 1, "v1,x", "k", "consent.signed", body_of(event(ADULT, ADULT)), NOW
    )
    binding.bind_consent(ledger.store_delivery(delivery).inbox_id, ledger, lambda: NOW)
    jobs = QueuedJobs()
    rows = [{"hetu": ADULT["hetu"], "grade": "hyväksytty", "graded_on": "2026-11-10"}]
    grading.import_results(the_course, rows, store, jobs, today=NOW.date(), actor="test")
    grading.bind_results(jobs.results, store, jobs, "winnova")
    [status] = status_rows(SqlStatus(engine, cipher), the_course.code)
    assert status["submission"] is not None
    consent_id: int = status["consent"]["id"]
    return consent_id


def test_a_revocation_answer_matches_the_documented_schema(
    api: FlaskClient, settings: Settings, engine: Engine, staff: dict[str, str]
) -> None:
    consent_id = _consent_with_a_submission(settings, engine)
    response = api.post(f"/api/consents/{consent_id}/revoke", headers=staff)
    assert response.status_code == 200
    answer: Any = response.json
    assert len(answer["submissions_stopped"]) == 1  # the ids, which staff can look up
    validator = _validator("/api/consents/{consent_id}/revoke", "post", 200, "application/json")
    assert list(validator.iter_errors(answer)) == []


@pytest.mark.parametrize(
    ("method", "address", "template"),
    [
        ("get", "/api/courses//status", "/api/courses/{code}/status"),
        ("post", "/api/courses//results", "/api/courses/{code}/results"),
        ("put", "/api/courses/", "/api/courses/{code}"),
        ("put", "/api/courses/x%2Fstatus", "/api/courses/{code}"),
        ("get", "/api/courses/x%2Fy/enrolments", "/api/courses/{code}/enrolments"),
    ],
)
def test_a_malformed_course_address_gets_a_documented_problem_answer(
    api: FlaskClient, staff: dict[str, str], method: str, address: str, template: str
) -> None:
    response = getattr(api, method)(address, headers=staff, json={})
    assert response.status_code in (404, 405)
    assert response.mimetype == "application/problem+json"
    validator = _validator(template, method, response.status_code, "application/problem+json")
    assert list(validator.iter_errors(response.json)) == []
