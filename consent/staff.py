"""Staff identities and rights: who may read, who may change, who may operate."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final


class Role(enum.StrEnum):
    """A token's role; each includes the rights of the ones before it."""

    VIEWER = "viewer"  # status only
    STAFF = "staff"  # courses, results, invalidation, revocation
    OPERATOR = "operator"  # also the job dashboard's actions

    def allows(self, needed: Role) -> bool:
        """True if this role has the rights of ``needed``."""
        order = list(Role)
        return order.index(self) >= order.index(needed)


@dataclass(frozen=True)
class StaffMember:
    """Who a valid token belongs to."""

    name: str
    role: Role


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
