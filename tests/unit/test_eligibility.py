"""Which results may go to KOSKI, and the reason staff see for those that never will."""

from __future__ import annotations

import pytest

from consent.grading import eligibility
from consent.model import ConsentState
from consent.results import ResultForBinding, ResultStatus


def result(
    grade: str | None,
    status: ResultStatus = ResultStatus.COMPLETED,
    parts: dict[str, str] | None = None,
) -> ResultForBinding:
    return ResultForBinding(1, "c", 1, grade, status, parts or {})


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
    assert eligibility(consent, graded) == expected
