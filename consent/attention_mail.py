"""The weekly attention e-mail: what it says, to whom, and which week it belongs to.

Staff look at the service about once a week; when the attention list is not empty, the
accounts that asked for it get one e-mail with the count of each group, the total and a
link to the staff pages' front page. It never carries a name, a hetu, an oid, a course or
anything else of a participant: counts only, so a message forwarded or read over a
shoulder discloses nothing. Pure: the sending, the recipients and the ledger are ports.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol
from zoneinfo import ZoneInfo

from consent.attention_mail_text import body, subject
from consent.errors import InvalidMailAddress

HELSINKI: Final = ZoneInfo("Europe/Helsinki")  # staff's time: the weekly hour is Finnish time
MAILED: Final = "attention.mailed"  # the audit action of a weekly (or a tried) e-mail
WEEKLY: Final = "sweeper"  # the audit's actor of the weekly e-mail
# One plain address: a local part and a domain, no display name, no spaces or header syntax.
_ADDRESS: Final = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
)
_ADDRESS_MAX: Final = 254  # RFC 5321's longest path, the column's width


class GroupCount(Protocol):
    """One group of the attention list, as the e-mail reads it: its kind and its count."""

    @property
    def kind(self) -> str: ...

    @property
    def count(self) -> int: ...


class AttentionCounts(Protocol):
    """The attention list as the e-mail reads it (:class:`consent.attention.AttentionList`)."""

    @property
    def groups(self) -> Sequence[GroupCount]: ...

    @property
    def total(self) -> int: ...


@dataclass(frozen=True)
class Recipient:
    """A staff account that gets the weekly e-mail: its id, its own address, its language."""

    account_id: int
    address: str
    language: str = "fi"


@dataclass(frozen=True)
class AccountMail:
    """A staff account's mail settings: its own address (None: none) and the weekly flag."""

    account_id: int
    address: str | None
    weekly: bool


@dataclass(frozen=True)
class Mail:
    """One e-mail to one account."""

    account_id: int
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class Delivered:
    """What the SMTP server took: the accounts mailed and those whose address it refused."""

    sent: tuple[int, ...]
    refused: tuple[int, ...] = ()


@dataclass(frozen=True)
class Week:
    """One ISO week of the weekly e-mail: its name (``2026-W49``) and the moment (UTC) from
    which its e-mail is due (the weekday and hour in Finnish time)."""

    name: str
    due_from: dt.datetime


def week_of(now: dt.datetime, weekday: int, hour: int) -> Week:
    """The ISO week ``now`` falls in, in Finnish time, and when its e-mail is due."""
    local = now.astimezone(HELSINKI)
    year, number, _ = local.isocalendar()
    monday = local.date() - dt.timedelta(days=local.weekday())
    day = monday + dt.timedelta(days=weekday)
    due = dt.datetime.combine(day, dt.time(hour), tzinfo=HELSINKI).astimezone(dt.UTC)
    return Week(f"{year}-W{number:02d}", due)


def mails(counts: AttentionCounts, recipients: Sequence[Recipient], link: str) -> list[Mail]:
    """The e-mail for each recipient in their language; none when the list is empty."""
    if counts.total == 0:
        return []
    figures = [(str(group.kind), group.count) for group in counts.groups if group.count]
    return [
        Mail(
            r.account_id,
            r.address,
            subject(r.language, counts.total),
            body(r.language, figures, counts.total, link),
        )
        for r in recipients
    ]


def audit_details(counts: AttentionCounts, week: str, delivered: Delivered) -> dict[str, object]:
    """What the audit trail keeps of a sending: the week, the counts, how many got it and
    how many addresses were refused; never an address."""
    return {
        "week": week,
        "total": counts.total,
        "counts": {str(g.kind): g.count for g in counts.groups if g.count},
        "recipients": len(delivered.sent),
        "refused": len(delivered.refused),
    }


def parse_address(text: str) -> str:
    """A staff member's e-mail address as given, checked to be one plain address (so no
    header can be smuggled in); :class:`InvalidMailAddress` otherwise."""
    address = text.strip()
    if len(address) > _ADDRESS_MAX or not _ADDRESS.match(address):
        raise InvalidMailAddress
    return address
