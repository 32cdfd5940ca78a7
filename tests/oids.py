"""Generated oppijanumerot (person oids) for tests: valid check digits, never a real person's."""

from __future__ import annotations

import random

from consent.oppijanumero import check_digit


def make_oid(number: int | None = None) -> str:
    """A production-node person oid (``1.2.246.562.24.``) with a right IBM 7-3-1 check digit;
    a random ten-digit number by default."""
    digits = f"{random.randint(10**9, 10**10 - 1) if number is None else number:010d}"  # noqa: S311 - test data
    return f"1.2.246.562.24.{digits}{check_digit(digits)}"
