"""Which key holds what, and when a key may be removed: the rules and what the commands say."""

from __future__ import annotations

import datetime as dt
import os

from cli.keys import rewrap_lines, status_lines
from consent.adapters.crypto import AesGcmCipher
from consent.config import PiiKey
from consent.key_usage import ColumnKeys, KeyUsage, RewrapReport
from tests.hetus import make_hetu

OLD, NEW = PiiKey("old", os.urandom(32)), PiiKey("new", os.urandom(32))


def usage(*columns: ColumnKeys, shared: int = 0) -> KeyUsage:
    return KeyUsage(("new", "old"), tuple(columns[:1]), tuple(columns[1:]), shared)


def test_values_under_the_old_key_are_waiting_and_the_old_key_may_not_go() -> None:
    found = usage(ColumnKeys("participants.hetu", {"new": 3, "old": 2}))
    assert found.waiting() == 2
    assert found.unused_keys() == ()
    assert not found.settled()
    assert "2 still under an older key: run `vst-consent keys rewrap`" in status_lines(found)


def test_once_nothing_is_under_the_old_key_it_is_named_as_removable() -> None:
    found = usage(
        ColumnKeys("participants.hetu", {"new": 5}),
        ColumnKeys("participants.hetu_index", {"new": 5}),
    )
    assert found.settled()
    assert found.unused_keys() == ("old",)
    assert "holding nothing, may be removed from PII_KEY: old" in status_lines(found)


def test_a_value_under_a_key_not_configured_is_unreadable_not_waiting() -> None:
    found = usage(
        ColumnKeys("participants.hetu", {"gone": 4, "new": 1}),
        ColumnKeys("participants.hetu_index", {"new": 1}, unidentified=4),
    )
    assert found.waiting() == 0
    assert found.unreadable() == {"participants.hetu": 4, "participants.hetu_index": 4}
    assert not found.settled()
    assert any(line.startswith("unreadable") for line in status_lines(found))


def test_participants_sharing_a_hetu_keep_the_status_unsettled() -> None:
    found = usage(ColumnKeys("participants.hetu", {"new": 2}), shared=2)
    assert not found.settled()
    assert "2 participant rows share a hetu: they must be merged" in status_lines(found)


def test_a_rewrap_with_nothing_to_do_says_so() -> None:
    assert rewrap_lines(RewrapReport("new", {})) == [
        "nothing to rewrap: every readable value is under the current key new"
    ]


def test_a_rewrap_that_left_rows_says_which_and_to_run_it_again() -> None:
    report = RewrapReport(
        "new", {"participants": 7}, unopened={"participants": 1}, remaining={"participants": 1}
    )
    lines = rewrap_lines(report)
    assert lines[0] == "done: 7 rows sealed again under new (participants 7)"
    assert "left 1 rows of participants: a value failed authentication" in lines
    assert report.left() == 1


def test_the_key_that_made_an_index_is_told_by_computing_it_under_each_key() -> None:
    hetu = make_hetu(dt.date(1990, 1, 1))
    old_index = AesGcmCipher([OLD]).blind_index(hetu, "participant.hetu")
    ring = AesGcmCipher([NEW, OLD])
    assert ring.index_key_id(hetu, "participant.hetu", old_index) == "old"
    new_index = ring.blind_index(hetu, "participant.hetu")
    assert ring.index_key_id(hetu, "participant.hetu", new_index) == "new"
    assert AesGcmCipher([NEW]).index_key_id(hetu, "participant.hetu", old_index) is None
    assert ring.current_key_id == "new"
    assert ring.key_ids == ("new", "old")
