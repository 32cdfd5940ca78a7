"""Consents for a course code no course has yet: accepted, listed for staff, masked, and bound
to the course once it is defined and its results imported (SQLite, PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pytest
import redis
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from sqlalchemy import Engine

from consent import binding, grading
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.ledger import SqlLedger
from consent.adapters.sql.results import SqlResults
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.adapters.sql.status import SqlStatus
from consent.config import Settings
from consent.hetu import HETU_PATTERN
from consent.model import ConsentState, InboxDelivery
from consent.staff import Role
from consent.views import unknown_course_json
from tests.courses import course
from tests.signing import body_of, event, person
from web.app import create_app
from web.staff_api.openapi import document

NOW = dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC)
LATER = "kevat-2027"  # a course staff have not defined yet
ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")


class QueuedJobs:
    """Keeps what would be queued, for the test to run."""

    def __init__(self) -> None:
        self.results: list[int] = []
        self.submissions: list[int] = []

    def enqueue_result_bindings(self, result_ids: Iterable[int]) -> None:
        self.results.extend(result_ids)

    def enqueue_submissions(self, submission_ids: Iterable[int]) -> None:
        self.submissions.extend(submission_ids)

    def enqueue_submission(self, submission_id: int, delay: dt.timedelta | None = None) -> None:
        self.submissions.append(submission_id)


def signed(engine: Engine, cipher: AesGcmCipher, code: str, webhook_id: str = "m1") -> None:
    """ADULT signs a consent for ``code`` and a worker binds it."""
    ledger = SqlLedger(engine, cipher, lambda: NOW)
    document = event(ADULT, ADULT, course=code, at="2026-09-01T08:15:00Z")
    delivery = InboxDelivery(
        "signing", webhook_id, 1, "v1,x", "k", document["type"], body_of(document), NOW
    )
    binding.bind_consent(ledger.store_delivery(delivery).inbox_id, ledger, lambda: NOW)


def test_a_consent_for_an_unknown_course_is_accepted_and_listed_masked(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    signed(engine, cipher, LATER)
    [listed] = SqlStatus(engine, cipher).unknown_course_consents()
    assert (listed.course_code, listed.state, listed.signer_relation) == (
        LATER,
        ConsentState.VALID,
        "self",
    )
    assert listed.participant.hetu == "******" + ADULT["hetu"][6:]
    assert listed.signed_at == dt.datetime(2026, 9, 1, 8, 15, tzinfo=dt.UTC)
    assert "Virtanen" not in str(unknown_course_json(listed))


def test_a_consent_for_an_unknown_course_binds_once_the_course_and_its_results_exist(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    signed(engine, cipher, LATER)
    the_course = course(code=LATER, end_date="2026-12-15")
    SqlCourses(engine, lambda: NOW).save_course(the_course, "test")
    status = SqlStatus(engine, cipher)
    assert status.unknown_course_consents() == []
    [waiting] = status.course_status(LATER)  # seen at once: no result yet
    assert waiting.result is None
    results, jobs = SqlResults(engine, cipher, lambda: NOW), QueuedJobs()
    row = {"hetu": ADULT["hetu"], "grade": "hyväksytty", "graded_on": "2026-12-10"}
    grading.import_results(the_course, [row], results, jobs, today=NOW.date(), actor="test")
    grading.bind_results(jobs.results, results, jobs, "winnova")
    [bound] = status.course_status(LATER)
    assert bound.consent is not None
    assert (bound.consent.state, bound.binding) == (ConsentState.VALID, "eligible")
    assert bound.submission is not None
    assert len(jobs.submissions) == 1


def test_a_known_courses_consents_are_not_listed_as_unknown(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    SqlCourses(engine, lambda: NOW).save_course(course(), "test")
    signed(engine, cipher, "knoppi-2026-syksy")
    assert SqlStatus(engine, cipher).unknown_course_consents() == []


@pytest.fixture
def app(engine: Engine, redis_client: redis.Redis, koski_settings: Settings) -> FlaskClient:
    signed(engine, AesGcmCipher(koski_settings.pii_keys), LATER)
    return create_app(koski_settings, engine=engine, broker=redis_client).test_client()


def test_the_api_lists_unknown_course_consents_to_a_viewer(
    app: FlaskClient, engine: Engine
) -> None:
    token = SqlStaffTokens(engine, lambda: NOW).create("viewer-person", Role.VIEWER)
    answer = app.get("/api/consents/unknown-courses", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    [listed] = answer.json["consents"]  # type: ignore[index]  # the JSON body
    assert (listed["course_code"], listed["state"]) == (LATER, "valid")
    assert listed["signed_at"] == "2026-09-01T08:15:00+00:00"
    components = document()["components"]
    schema = {**components["schemas"]["UnknownCourseConsent"], "components": components}
    assert list(Draft202012Validator(schema).iter_errors(listed)) == []
    assert not HETU_PATTERN.search(answer.text)
    assert app.get("/api/consents/unknown-courses").status_code == 401
