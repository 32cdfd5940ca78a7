"""The attention list: everything across all courses a person must act on, grouped by kind,
each item with how long it has waited, where it is fixed, and whether staff marked it seen.

A reader adapter finds the raw items (:class:`Found`) in a fixed, small number of queries;
this module decides their keys, fingerprints, links and order. An item marked seen stays
listed (shown as seen) until it is fixed; when its state changes (KOSKI's keys, one more
attempt) its fingerprint no longer matches the mark and it is unseen again. Pure.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from consent.hetu import carries_a_hetu
from consent.views import ShownParticipant


class Kind(enum.StrEnum):
    """What an item needs; the list shows its groups in this order."""

    FAILED = "failed"  # KOSKI refused the record: its keys say why
    PARKED = "parked"  # KOSKI did not answer, retries are used up
    GONE = "gone"  # KOSKI no longer holds the record (revoked in Oma Opintopolku, removed)
    UNSUPPORTED = "unsupported"  # a live KOSKI record the ledger no longer supports
    REJECTED_CONSENT = "rejected_consent"  # signed by someone who may not consent
    UNKNOWN_COURSE = "unknown_course"  # consents for a course code no course has
    WAITING_FOR_END = "waiting_for_end"  # results dated after today: sent on their day
    UNCONFIRMED_IMPORT = "unconfirmed_import"  # a results file checked, never confirmed


# The items one submission stands for: retrying it ("retry all") fixes these.
RETRYABLE_KINDS: Final = frozenset({Kind.FAILED, Kind.PARKED})


@dataclass(frozen=True)
class Found:
    """One raw item as the reader found it. ``subject`` identifies it within its kind (a
    submission, consent or course id, a course code, an upload id); ``state`` holds what it
    is fingerprinted by; ``codes`` what staff read of it (KOSKI's keys, a binding's or a
    rejection's code); ``records`` how many records one item stands for."""

    kind: Kind
    subject: str
    course_code: str | None
    since: dt.datetime
    state: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    participant: ShownParticipant | None = None
    records: int = 1
    submission_id: int | None = None
    course_defined: bool = True  # False: a consent for a course code no course has
    message: str | None = None  # KOSKI's own words of its last answer (no value echoed)


@dataclass(frozen=True)
class AttentionItem:
    """One thing to act on: what (``codes``, in words on the pages), of which course, since
    when and for how long, where it is fixed (``link``, a staff page path), and whether
    staff saw it in this very state."""

    key: str
    kind: Kind
    codes: tuple[str, ...]
    course_code: str | None
    since: dt.datetime
    waiting: dt.timedelta
    link: str
    seen: bool
    fingerprint: str
    participant: ShownParticipant | None = None  # masked, for an item about one person
    records: int = 1
    submission_id: int | None = None  # for a failed or parked one: what "retry" sends
    message: str | None = None  # KOSKI's own words of its last answer, for one it refused


@dataclass(frozen=True)
class AttentionGroup:
    """The items of one kind, oldest first."""

    kind: Kind
    items: tuple[AttentionItem, ...]

    @property
    def count(self) -> int:
        """How many items the group holds."""
        return len(self.items)

    @property
    def unseen(self) -> int:
        """How many of them no one has marked seen in their present state."""
        return sum(1 for item in self.items if not item.seen)


@dataclass(frozen=True)
class AttentionList:
    """The whole list: one group per kind that has items, in :class:`Kind` order."""

    groups: tuple[AttentionGroup, ...]

    @property
    def total(self) -> int:
        """How many items in all."""
        return sum(group.count for group in self.groups)

    @property
    def unseen(self) -> int:
        """How many items in all no one has marked seen in their present state."""
        return sum(group.unseen for group in self.groups)

    def count(self, kind: Kind) -> int:
        """How many items of ``kind`` (0 when there are none)."""
        return sum(group.count for group in self.groups if group.kind is kind)

    def item(self, key: str) -> AttentionItem | None:
        """The item of ``key``, if it is listed."""
        return next((i for g in self.groups for i in g.items if i.key == key), None)

    def retryable(self) -> list[int]:
        """The submissions of every failed or parked item: what "retry all" sends again."""
        return [
            item.submission_id
            for group in self.groups
            if group.kind in RETRYABLE_KINDS
            for item in group.items
            if item.submission_id is not None
        ]


def item_key(kind: Kind, subject: str) -> str:
    """An item's stable key: its kind and subject (ids and course codes, never personal
    data), at most 128 characters (the seen table's width)."""
    return f"{kind.value}:{subject}"[:128]


def fingerprint(found: Found) -> str:
    """A digest of the item's state: a mark of "seen" holds while it matches."""
    parts = "\x1f".join((found.kind.value, found.subject, *found.state))
    return hashlib.sha256(parts.encode()).hexdigest()


def link(found: Found) -> str:
    """The staff page where the item is fixed: the course page (at the participant's row,
    for one about a person), the new course form for an unknown course code, the course
    list (which lists the consents of unknown courses) for a consent of no course."""
    if found.kind is Kind.UNKNOWN_COURSE:
        code = found.course_code or ""
        if carries_a_hetu(code):  # no course may have such a code, and no address holds one
            return "/staff/courses"
        return f"/staff/courses/new?code={quote(code, safe='')}"
    if found.course_code is None or not found.course_defined:
        return "/staff/courses"
    page = f"/staff/courses/{quote(found.course_code, safe='')}"
    if found.submission_id is not None:
        return f"{page}#submission-{found.submission_id}"
    return page


def attention_list(
    found: Iterable[Found], seen: Mapping[str, str], now: dt.datetime
) -> AttentionList:
    """The list of what was ``found``, grouped by kind and oldest first; an item is seen
    when ``seen`` (fingerprints by key) holds its present fingerprint."""
    by_kind: dict[Kind, list[AttentionItem]] = {}
    for raw in found:
        by_kind.setdefault(raw.kind, []).append(_item(raw, seen, now))
    return AttentionList(
        tuple(
            AttentionGroup(kind, tuple(sorted(by_kind[kind], key=_age)))
            for kind in Kind
            if kind in by_kind
        )
    )


def _item(raw: Found, seen: Mapping[str, str], now: dt.datetime) -> AttentionItem:
    key, digest = item_key(raw.kind, raw.subject), fingerprint(raw)
    return AttentionItem(
        key=key,
        kind=raw.kind,
        codes=raw.codes,
        course_code=raw.course_code,
        since=raw.since,
        waiting=max(now - raw.since, dt.timedelta(0)),
        link=link(raw),
        seen=seen.get(key) == digest,
        fingerprint=digest,
        participant=raw.participant,
        records=raw.records,
        submission_id=raw.submission_id,
        message=raw.message,
    )


def _age(item: AttentionItem) -> tuple[dt.datetime, str]:
    return item.since, item.key


def attention_json(listed: AttentionList) -> dict[str, Any]:
    """The list as the API and ``attention --json`` show it: totals, then each group with
    its items (participants masked, waiting in whole seconds)."""
    return {
        "total": listed.total,
        "unseen": listed.unseen,
        "groups": [
            {
                "kind": group.kind.value,
                "count": group.count,
                "unseen": group.unseen,
                "items": [_item_json(item) for item in group.items],
            }
            for group in listed.groups
        ],
    }


def _item_json(item: AttentionItem) -> dict[str, Any]:
    person = item.participant
    return {
        "key": item.key,
        "codes": list(item.codes),
        "course_code": item.course_code,
        "since": item.since.isoformat(),
        "waiting_seconds": int(item.waiting.total_seconds()),
        "link": item.link,
        "seen": item.seen,
        "participant": None if person is None else {"hetu": person.hetu, "name": person.name},
        "records": item.records,
        "submission_id": item.submission_id,
        "message": item.message,
    }
