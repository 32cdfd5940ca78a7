"""The status read model: who is masked, and the JSON staff get from a row."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from consent.hetu import Hetu
from consent.model import ConsentState, Person, SubmissionState
from consent.results import ResultStatus
from consent.views import (
    NO_RESULT,
    ConsentSummary,
    ParticipantStatus,
    ResultSummary,
    SubmissionSummary,
    shown,
    signed_after_end,
    status_json,
)
from tests.hetus import make_hetu
from web.staff_api.openapi import document

HETU = make_hetu(dt.date(1990, 5, 5))
AINO = Person(Hetu(HETU), "Aino Maria", "Virtanen")


def _row(
    consent: ConsentSummary | None = None,
    submission: SubmissionSummary | None = None,
    binding: str = "eligible",
) -> ParticipantStatus:
    return ParticipantStatus(
        result_id=7,
        participant=shown(AINO),
        consent=consent,
        result=ResultSummary("hyväksytty", dt.date(2026, 11, 10), ResultStatus.COMPLETED),
        binding=binding,
        submission=submission,
        participant_id=11,
    )


def _submission(state: SubmissionState, keys: tuple[str, ...] | None = None) -> SubmissionSummary:
    return SubmissionSummary(3, state, "1.2.246.562.15.1", 2, 1, 200, keys, None)


def test_a_participant_is_masked_to_the_last_characters_of_the_hetu_and_initials() -> None:
    masked = shown(AINO)
    assert (masked.hetu, masked.name) == ("******" + HETU[6:], "A. V.")
    assert HETU not in masked.hetu


def test_a_participant_asked_for_by_hetu_is_shown_in_full() -> None:
    full = shown(AINO, asked_for=True)
    assert (full.hetu, full.name) == (HETU, "Aino Maria Virtanen")


def test_a_participant_without_names_is_shown_with_no_initials() -> None:
    nameless = Person(Hetu(HETU), "", "")
    assert shown(nameless).name == ""
    assert shown(nameless, asked_for=True).name == ""


def test_printing_a_row_shows_no_hetu_or_name() -> None:
    printed = repr(dataclasses.replace(_row(), participant=shown(AINO, asked_for=True)))
    assert HETU not in printed
    assert "Virtanen" not in printed


def test_a_row_becomes_the_json_the_api_has_always_given_in_its_key_order() -> None:
    consent = ConsentSummary(5, ConsentState.VALID, None, "self")
    row = _row(consent, _submission(SubmissionState.FAILED, ("badRequest.validation",)))
    assert json.dumps(status_json(row)) == json.dumps(
        {
            "result_id": 7,
            "participant": {"hetu": "******" + HETU[6:], "name": "A. V."},
            "consent": {
                "id": 5,
                "state": "valid",
                "reason": None,
                "signer_relation": "self",
                "signed_after_end": False,
                "recorded_by_staff": False,
            },
            "result": {"grade": "hyväksytty", "graded_on": "2026-11-10", "status": "completed"},
            "binding": "eligible",
            "submission": {
                "id": 3,
                "state": "failed",
                "oid": "1.2.246.562.15.1",
                "versionumero": 2,
                "attempts": 1,
                "last_status": 200,
                "last_error_keys": ["badRequest.validation"],
                "last_error_message": None,
                "attention": None,
            },
            "collides_with": None,
        }
    )


def test_a_row_without_consent_or_submission_has_nulls_and_keys_never_set_stay_null() -> None:
    assert status_json(_row(binding="no_consent")) | {"participant": None} == {
        "result_id": 7,
        "participant": None,
        "consent": None,
        "result": {"grade": "hyväksytty", "graded_on": "2026-11-10", "status": "completed"},
        "binding": "no_consent",
        "submission": None,
        "collides_with": None,
    }
    sub = status_json(_row(submission=_submission(SubmissionState.SENT)))["submission"]
    assert sub["last_error_keys"] is None


def test_a_row_is_moving_while_its_result_waits_to_be_bound_or_its_record_to_be_sent() -> None:
    assert _row(binding="pending").moving
    assert _row(submission=_submission(SubmissionState.IN_FLIGHT)).moving
    assert _row(binding="pending", submission=_submission(SubmissionState.SENT)).moving
    assert not _row(binding="no_consent").moving
    assert not _row(submission=_submission(SubmissionState.SENT)).moving


def test_only_a_parked_or_refused_record_may_be_retried() -> None:
    retryable = {s for s in SubmissionState if _submission(s).retryable}
    assert retryable == {SubmissionState.PARKED, SubmissionState.FAILED}


def test_a_last_error_stands_until_the_record_is_sent_or_stopped() -> None:
    standing = {s for s in SubmissionState if _submission(s).error_stands}
    assert standing == {SubmissionState.FAILED, SubmissionState.PARKED, SubmissionState.PENDING}


def test_a_consent_with_no_result_yet_is_a_row_with_null_result_for_the_trainer_to_assess() -> None:
    consent = ConsentSummary(5, ConsentState.VALID, None, "self")
    row = dataclasses.replace(_row(consent, binding=NO_RESULT), result_id=None, result=None)
    shown_row = status_json(row)
    assert (shown_row["result_id"], shown_row["result"], shown_row["binding"]) == (
        None,
        None,
        "no_result",
    )
    assert shown_row["consent"]["state"] == "valid"
    assert not row.moving


def test_a_consent_is_signed_after_the_end_only_from_the_day_after_in_finnish_time() -> None:
    end = dt.date(2026, 11, 20)
    last_evening = dt.datetime(2026, 11, 20, 21, 59, tzinfo=dt.UTC)  # 23.59 in Helsinki
    next_night = dt.datetime(2026, 11, 20, 22, 1, tzinfo=dt.UTC)  # 0.01 the day after
    assert not signed_after_end(last_evening, end)
    assert signed_after_end(next_night, end)
    assert not signed_after_end(None, end)  # never signed: nothing to flag


def test_a_consent_signed_after_the_end_is_flagged_in_the_json() -> None:
    late = ConsentSummary(5, ConsentState.VALID, None, "self", signed_after_end=True)
    assert status_json(_row(late))["consent"]["signed_after_end"] is True


def test_a_record_refused_as_a_duplicate_names_the_course_it_collides_with() -> None:
    refused = _submission(SubmissionState.FAILED, ("conflict.exists",))
    row = dataclasses.replace(_row(submission=refused), collides_with="syksy-2026-b")
    assert status_json(row)["collides_with"] == "syksy-2026-b"


def test_only_a_valid_consent_may_be_revoked() -> None:
    valid = {s for s in ConsentState if ConsentSummary(1, s, None, None).valid}
    assert valid == {ConsentState.VALID}


def _documented(name: str) -> dict[str, Any]:
    """The OpenAPI document's schema ``name``, with the components it may refer to."""
    components = document()["components"]
    return {**components["schemas"][name], "components": components}


@pytest.mark.parametrize(
    "row",
    [
        _row(binding="pending"),
        _row(
            ConsentSummary(5, ConsentState.REJECTED, "signed by another", "guardian"),
            _submission(SubmissionState.PARKED, ("unavailable",)),
        ),
        _row(
            ConsentSummary(5, ConsentState.VALID, None, "self"), _submission(SubmissionState.SENT)
        ),
        dataclasses.replace(
            _row(ConsentSummary(5, ConsentState.VALID, None, "self", True), binding=NO_RESULT),
            result_id=None,
            result=None,
        ),
        dataclasses.replace(
            _row(submission=_submission(SubmissionState.FAILED, ("conflict.exists",))),
            collides_with="syksy-2026-b",
        ),
    ],
    ids=["no consent", "rejected and parked", "sent", "consent without a result", "duplicate"],
)
def test_every_row_matches_the_schema_the_openapi_document_gives(row: ParticipantStatus) -> None:
    validator = Draft202012Validator(_documented("ParticipantStatus"))
    assert list(validator.iter_errors(status_json(row))) == []


def test_the_document_names_every_state_a_row_can_hold() -> None:
    properties = document()["components"]["schemas"]["ParticipantStatus"]["properties"]
    consent = properties["consent"]["oneOf"][1]["properties"]["state"]["enum"]
    submission = properties["submission"]["oneOf"][1]["properties"]["state"]["enum"]
    result = properties["result"]["oneOf"][1]["properties"]["status"]["enum"]
    assert consent == [s.value for s in ConsentState]
    assert submission == [s.value for s in SubmissionState]
    assert result == [s.value for s in ResultStatus]
