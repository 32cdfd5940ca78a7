"""Log redaction finds a hetu glued to anything, and leaves our own identifiers alone."""

from __future__ import annotations

import datetime as dt

import pytest

from consent.hetu import HETU_PATTERN, HETU_SHAPE, redact_hetus
from tests.hetus import NOT_HETUS, make_hetu

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


@pytest.mark.parametrize("ours", NOT_HETUS)
def test_our_own_identifiers_and_timestamps_are_not_redacted(ours: str) -> None:
    assert redact_hetus(ours) == ours


def test_a_hetu_as_a_value_is_still_recognised_only_standing_alone() -> None:
    assert HETU_PATTERN.fullmatch(HETU)
    assert not HETU_PATTERN.search(f"id{HETU}z")
    assert HETU_SHAPE.search(f"id{HETU}z")
