"""The ``status`` command's table: a consent without a result, a late consent, a duplicate."""

from __future__ import annotations

import dataclasses

from cli.staff import _status_line
from consent.model import ConsentState, SubmissionState
from consent.views import NO_RESULT, ConsentSummary
from tests.unit.test_views import HETU, _row, _submission


def test_a_consent_without_a_result_is_a_line_with_no_result_id() -> None:
    consent = ConsentSummary(5, ConsentState.VALID, None, "self")
    row = dataclasses.replace(_row(consent, binding=NO_RESULT), result_id=None, result=None)
    line = _status_line(row)
    assert line.split()[:2] == ["-", "******" + HETU[6:]]
    assert NO_RESULT in line


def test_a_late_consent_and_a_duplicate_say_so_and_name_no_one() -> None:
    late = ConsentSummary(5, ConsentState.VALID, None, "self", signed_after_end=True)
    refused = _submission(SubmissionState.FAILED, ("conflict.exists",))
    row = dataclasses.replace(_row(late, refused), collides_with="syksy-2026-b")
    line = _status_line(row)
    assert "duplicate of the record of course syksy-2026-b" in line
    assert "consent signed after the course ended" in line
    assert HETU not in line
