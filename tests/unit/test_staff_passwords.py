"""The rule a new staff password must meet, held by the core."""

from __future__ import annotations

import pytest

from consent.errors import WeakPassword
from consent.staff import MIN_PASSWORD, check_password


def test_a_password_of_the_least_length_is_accepted() -> None:
    check_password("x" * MIN_PASSWORD)


def test_a_shorter_password_is_refused_saying_the_least_length() -> None:
    with pytest.raises(WeakPassword, match=f"^a password needs at least {MIN_PASSWORD} char"):
        check_password("x" * (MIN_PASSWORD - 1))
