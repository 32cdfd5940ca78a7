"""Staff identities and rights: who may read, who may change, who may operate, and the
rule a new password must meet."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

from consent.errors import WeakPassword

MIN_PASSWORD: Final = 12  # characters: a long passphrase beats any rule of character classes


class Role(enum.StrEnum):
    """A token's role; each includes the rights of the ones before it."""

    VIEWER = "viewer"  # status only
    STAFF = "staff"  # courses, results, invalidation, revocation
    OPERATOR = "operator"  # also the job dashboard's actions

    def allows(self, needed: Role) -> bool:
        """True if this role has the rights of ``needed``."""
        order = list(Role)
        return order.index(self) >= order.index(needed)


PAGE_LANGUAGES: Final = ("fi", "sv")
"""The languages the staff pages speak; an account's own is one of them, Finnish by default."""


@dataclass(frozen=True)
class StaffMember:
    """Who a valid token belongs to, and the language their pages are drawn in."""

    name: str
    role: Role
    language: str = "fi"


@dataclass(frozen=True)
class Actor:
    """Who takes a staff action, by the name the audit trail records for them (at most 64
    characters, the audit column's width)."""

    audit_name: str

    @classmethod
    def staff(cls, name: str) -> Actor:
        """A staff member, by token (the API) or login (the pages): ``staff:<name>``."""
        return cls(f"staff:{name}"[:64])

    @classmethod
    def member(cls, member: StaffMember) -> Actor:
        """The staff member a token or a session belongs to."""
        return cls.staff(member.name)


COMMAND_LINE: Final = Actor("cli")
"""Whoever runs a ``vst-consent`` command: the audit trail says ``cli``."""


def check_password(password: str) -> None:
    """Accept a new staff password, or refuse it as :class:`WeakPassword` when it is shorter
    than :data:`MIN_PASSWORD`: every account's password is set through this rule."""
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(MIN_PASSWORD)
