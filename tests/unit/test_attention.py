"""The attention list's pure rules: groups in a fixed order, oldest first, links to where
each item is fixed, and "seen" holding only while the item's state is the one seen."""

from __future__ import annotations

import datetime as dt

from consent.attention import Found, Kind, attention_list, fingerprint, item_key
from tests.hetus import make_hetu

NOW = dt.datetime(2026, 12, 20, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def failed(submission_id: int, keys: tuple[str, ...], since: dt.datetime) -> Found:
    return Found(
        Kind.FAILED,
        str(submission_id),
        "knoppi-2026-syksy",
        since,
        state=("failed", "1", *keys),
        codes=keys,
        submission_id=submission_id,
    )


def test_groups_come_in_kind_order_and_items_oldest_first() -> None:
    found = [
        Found(Kind.UNCONFIRMED_IMPORT, "u-1", "kurssi", NOW - DAY),
        failed(2, ("a",), NOW - DAY),
        failed(1, ("a",), NOW - 3 * DAY),
    ]
    listed = attention_list(found, {}, NOW)
    assert [g.kind for g in listed.groups] == [Kind.FAILED, Kind.UNCONFIRMED_IMPORT]
    assert [i.submission_id for i in listed.groups[0].items] == [1, 2]
    assert listed.groups[0].items[0].waiting == 3 * DAY
    assert (listed.total, listed.count(Kind.FAILED), listed.count(Kind.PARKED)) == (3, 2, 0)


def test_an_empty_list_has_no_groups_and_a_total_of_zero() -> None:
    listed = attention_list([], {}, NOW)
    assert (listed.groups, listed.total, listed.unseen) == ((), 0, 0)


def test_an_item_is_seen_only_in_the_state_it_was_seen_in() -> None:
    before = failed(1, ("badRequest.validation.a",), NOW - DAY)
    marks = {item_key(Kind.FAILED, "1"): fingerprint(before)}
    assert attention_list([before], marks, NOW).groups[0].items[0].seen
    changed = failed(1, ("badRequest.validation.b",), NOW - DAY)
    listed = attention_list([changed], marks, NOW)
    assert not listed.groups[0].items[0].seen
    assert listed.unseen == 1


def test_links_lead_to_the_row_the_course_page_or_the_new_course_form() -> None:
    listed = attention_list(
        [
            failed(7, (), NOW),
            Found(Kind.UNKNOWN_COURSE, "uusi kurssi", "uusi kurssi", NOW),
            Found(Kind.WAITING_FOR_END, "3", "kevät", NOW),
        ],
        {},
        NOW,
    )
    links = [group.items[0].link for group in listed.groups]
    assert links == [
        "/staff/courses/knoppi-2026-syksy#submission-7",
        "/staff/courses/new?code=uusi%20kurssi",
        "/staff/courses/kev%C3%A4t",
    ]


def test_retry_all_takes_the_failed_and_parked_submissions_only() -> None:
    parked = Found(Kind.PARKED, "5", "c", NOW, submission_id=5)
    gone = Found(Kind.GONE, "6", "c", NOW, submission_id=6)
    listed = attention_list([failed(4, (), NOW), parked, gone], {}, NOW)
    assert listed.retryable() == [4, 5]


def test_an_unknown_course_code_shaped_like_a_hetu_never_goes_into_a_link() -> None:
    code = make_hetu(dt.date(1990, 5, 5))  # the event schema's course code allows the shape
    listed = attention_list([Found(Kind.UNKNOWN_COURSE, code, code, NOW)], {}, NOW)
    assert listed.groups[0].items[0].link == "/staff/courses"
