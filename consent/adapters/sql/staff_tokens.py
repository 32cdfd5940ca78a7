"""Staff API tokens: random, shown once, stored as SHA-256 digests."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from consent.adapters.sql.tables import StaffTokenRow
from consent.errors import TokenExists
from consent.ports import Clock
from consent.staff import Role, StaffMember


def digest(token: str) -> str:
    """The stored form of a token (tokens are 256-bit random, so no slow hash is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


class SqlStaffTokens:
    """Creates, checks and revokes staff tokens."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._clock = clock

    def create(self, name: str, role: Role) -> str:
        """A new token for ``name``; the only time it is ever shown. :class:`TokenExists`
        while ``name`` holds one not revoked."""
        token = "vst_" + secrets.token_urlsafe(32)
        try:
            with self._sessions.begin() as session:
                session.execute(
                    delete(StaffTokenRow).where(
                        StaffTokenRow.name == name, StaffTokenRow.revoked_at.is_not(None)
                    )
                )
                session.add(
                    StaffTokenRow(
                        name=name,
                        token_sha256=digest(token),
                        role=role.value,
                        created_at=self._clock(),
                    )
                )
        except IntegrityError:
            raise TokenExists(name) from None
        return token

    def member(self, token: str) -> StaffMember | None:
        """Who holds ``token``, if it is valid and not revoked."""
        query = select(StaffTokenRow).where(
            StaffTokenRow.token_sha256 == digest(token), StaffTokenRow.revoked_at.is_(None)
        )
        with self._sessions() as session:
            row = session.execute(query).scalar_one_or_none()
            return None if row is None else StaffMember(row.name, Role(row.role))

    def revoke(self, name: str) -> bool:
        """Revoke the token named ``name``; False if there is none."""
        with self._sessions.begin() as session:
            query = select(StaffTokenRow).where(
                StaffTokenRow.name == name, StaffTokenRow.revoked_at.is_(None)
            )
            row = session.execute(query).scalar_one_or_none()
            if row is None:
                return False
            row.revoked_at = self._clock()
            return True
