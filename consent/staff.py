"""Staff identities and rights: who may read, who may change, who may operate."""

from __future__ import annotations

import enum
from dataclasses import dataclass


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
