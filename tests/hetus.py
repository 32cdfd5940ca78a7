"""Generated henkilötunnus values for tests: valid check characters, never a real person's."""

from __future__ import annotations

import datetime as dt
import random

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_SIGNS = {1800: "+", 1900: "-", 2000: "A"}


def make_hetu(born: dt.date, individual: int | None = None, sign: str | None = None) -> str:
    """A hetu for someone born on ``born``; a random individual number in 002–899 by default."""
    number = random.randint(2, 899) if individual is None else individual  # noqa: S311 - test data
    century = sign or CENTURY_SIGNS[born.year // 100 * 100]
    digits = f"{born:%d%m}{born.year % 100:02d}{number:03d}"
    return f"{digits[:6]}{century}{digits[6:]}{CHECK_CHARACTERS[int(digits) % 31]}"


def born_years_ago(years: int, on: dt.date, extra_days: int = 0) -> dt.date:
    """The birth date of someone who turns ``years`` old ``extra_days`` before ``on``."""
    return on.replace(year=on.year - years) - dt.timedelta(days=extra_days)
