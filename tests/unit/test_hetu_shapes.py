"""Log redaction finds a hetu glued to anything, and leaves our own identifiers alone."""

from __future__ import annotations

import datetime as dt

import pytest

from consent.hetu import HETU_PATTERN, HETU_SHAPE, redact_hetus
from tests.hetus import make_hetu

HETU = make_hetu(dt.date(1990, 1, 1))
YOUNG = make_hetu(dt.date(2010, 6, 15), sign="C")


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (f"id{HETU}z", "id[hetu]z"),
        (f"job{HETU.lower()}x", "job[hetu]x"),
        (f"7{HETU}7", "7[hetu]7"),
        (f"/rq/0/view/job/job{YOUNG}Fx", "/rq/0/view/job/job[hetu]Fx"),
        (f"a={HETU} b", "a=[hetu] b"),
    ],
    ids=["letters", "lower-case letters", "digits", "a dashboard path", "standing alone"],
)
def test_a_hetu_glued_to_letters_or_digits_is_redacted_in_any_case(
    text: str, redacted: str
) -> None:
    assert redact_hetus(text) == redacted


@pytest.mark.parametrize(
    "ours",
    [
        "2026-12-01T15:19:55.123456+00:00",
        "2026-12-01 15:19:55,123",
        "20261201T151955Z",
        "1764602395.1234567",
        "1.2.246.562.10.12345678901",
        "1.2.246.562.24.00000000001",
        "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
        "bind-consent-210190",
        "bind-consent-210190-again",
        "submit-310199",
        "invite-110190",
        "check-signing-010101-again",
        "inbox_id=210190 submission_id=310199",
    ],
)
def test_our_own_identifiers_and_timestamps_are_not_redacted(ours: str) -> None:
    assert redact_hetus(ours) == ours


def test_a_hetu_as_a_value_is_still_recognised_only_standing_alone() -> None:
    assert HETU_PATTERN.fullmatch(HETU)
    assert not HETU_PATTERN.search(f"id{HETU}z")
    assert HETU_SHAPE.search(f"id{HETU}z")
