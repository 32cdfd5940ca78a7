"""Which results may go to KOSKI, and the reason staff see for those that never will."""

from __future__ import annotations

import datetime as dt

import pytest

from consent.grading import eligibility
from consent.model import ConsentState
from consent.results import GradedResult, ResultForBinding, ResultStatus
from tests.courses import course

# A course of two parts, A and B, ended before TODAY.
COURSE = course(
    parts=[
        {"code": "A", "name": "Piirustus", "laajuus_op": 1.0},
        {"code": "B", "name": "Maalaus", "laajuus_op": 0.5},
    ]
)
TODAY = dt.date(2026, 12, 20)


def result(
    grade: str | None,
    status: ResultStatus = ResultStatus.COMPLETED,
    parts: dict[str, str] | None = None,
) -> ResultForBinding:
    graded = GradedResult(grade, dt.date(2026, 12, 10), status, parts or {})
    return ResultForBinding(1, 1, COURSE, graded)


@pytest.mark.parametrize(
    ("consent", "graded", "expected"),
    [
        (ConsentState.VALID, result("Hyväksytty"), "eligible"),
        (ConsentState.VALID, result("7"), "eligible"),
        (ConsentState.VALID, result("Hylätty"), "not_passed"),
        (None, result("Hyväksytty"), "no_consent"),
        (ConsentState.REJECTED, result("Hyväksytty"), "consent_rejected"),
        (ConsentState.CANCELLED, result("Hyväksytty"), "consent_cancelled"),
        (ConsentState.WITHDRAWN, result("Hyväksytty"), "consent_cancelled"),
        (ConsentState.REVOKED, result("Hyväksytty"), "consent_revoked"),
        (
            ConsentState.VALID,
            result(None, ResultStatus.INTERRUPTED, {"A": "Hyväksytty"}),
            "eligible",
        ),
        (
            ConsentState.VALID,
            result(None, ResultStatus.INTERRUPTED, {"A": "Hylätty"}),
            "no_assessed_part",
        ),
        (ConsentState.VALID, result(None, ResultStatus.INTERRUPTED), "no_assessed_part"),
    ],
)
def test_eligibility(consent: ConsentState | None, graded: ResultForBinding, expected: str) -> None:
    assert eligibility(consent, graded, TODAY) == expected


def test_a_result_dated_after_today_waits_for_its_day() -> None:
    graded = GradedResult("Hyväksytty", dt.date(2026, 12, 10), ResultStatus.COMPLETED, {})
    ending = ResultForBinding(1, 1, course(end_date="2027-01-15"), graded)
    assert eligibility(ConsentState.VALID, ending, TODAY) == "waiting_for_end"
    assert eligibility(ConsentState.VALID, ending, dt.date(2027, 1, 15)) == "eligible"


def test_a_result_that_may_not_be_sent_says_why_before_it_waits() -> None:
    graded = GradedResult("Hylätty", dt.date(2026, 12, 10), ResultStatus.COMPLETED, {})
    ending = ResultForBinding(1, 1, course(end_date="2027-01-15"), graded)
    assert eligibility(ConsentState.VALID, ending, TODAY) == "not_passed"
