"""Generated henkilötunnus values for tests: valid check characters, never a real person's."""

from __future__ import annotations

import datetime as dt
import random

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_SIGNS = {1800: "+", 1900: "-", 2000: "A"}


INDIVIDUAL_NUMBERS = range(2, 900)  # 002–899: the numbers given to people born in Finland
_given: dict[dt.date, set[int]] = {}


def make_hetu(born: dt.date, individual: int | None = None, sign: str | None = None) -> str:
    """A hetu for someone born on ``born``; by default a random individual number in 002–899
    that no earlier call in this process gave for the same date, so two generated people of one
    test never share a hetu (two adults born the same day would otherwise collide once in a few
    dozen runs, and a test would see one participant where it made two)."""
    number = _unused_number(born) if individual is None else individual
    century = sign or CENTURY_SIGNS[born.year // 100 * 100]
    digits = f"{born:%d%m}{born.year % 100:02d}{number:03d}"
    return f"{digits[:6]}{century}{digits[6:]}{CHECK_CHARACTERS[int(digits) % 31]}"


def _unused_number(born: dt.date) -> int:
    given = _given.setdefault(born, set())
    if len(given) == len(INDIVIDUAL_NUMBERS):
        given.clear()  # every number of the date given once: start the date over
    number = random.choice([n for n in INDIVIDUAL_NUMBERS if n not in given])  # noqa: S311 - test data
    given.add(number)
    return number


def born_years_ago(years: int, on: dt.date, extra_days: int = 0) -> dt.date:
    """The birth date of someone who turns ``years`` old ``extra_days`` before ``on``."""
    return on.replace(year=on.year - years) - dt.timedelta(days=extra_days)


# Our own identifiers and timestamps, as the logs carry them: none is, or holds, a hetu.
NOT_HETUS = (
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
)
