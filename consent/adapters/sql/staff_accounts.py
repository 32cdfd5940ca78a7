"""Staff accounts for the web pages: usernames with Argon2id password hashes (argon2-cffi)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from consent.adapters.sql.tables import StaffAccountRow
from consent.staff import Role, StaffMember

MIN_PASSWORD: Final = 12
_HASHER: Final = PasswordHasher()  # RFC 9106's second recommended Argon2id parameters
# Verified when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH: Final = _HASHER.hash("vst-consent: no such account")


class WeakPassword(ValueError):
    """The password is too short to be accepted."""


class SqlStaffAccounts:
    """Creates staff accounts, checks their passwords, and finds who is logged in."""

    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime]) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._clock = clock

    def create(self, username: str, password: str, role: Role) -> None:
        """A new account; ValueError if the name is taken or the password too short."""
        _check_strength(password)
        try:
            with self._sessions.begin() as session:
                session.add(
                    StaffAccountRow(
                        username=username,
                        password_hash=_HASHER.hash(password),
                        role=role.value,
                        created_at=self._clock(),
                    )
                )
        except IntegrityError:
            raise ValueError(f"an account named {username!r} exists") from None

    def set_password(self, username: str, password: str) -> bool:
        """Replace an account's password; False if there is no such account."""
        _check_strength(password)
        with self._sessions.begin() as session:
            row = self._row(session, username)
            if row is None:
                return False
            row.password_hash = _HASHER.hash(password)
            return True

    def disable(self, username: str) -> bool:
        """End an account's access (its sessions end at their next request)."""
        with self._sessions.begin() as session:
            row = self._row(session, username)
            if row is None or row.disabled_at is not None:
                return False
            row.disabled_at = self._clock()
            return True

    def verify(self, username: str, password: str) -> StaffMember | None:
        """The member if the password is right and the account active; else None."""
        with self._sessions.begin() as session:
            row = self._row(session, username)
            stored = _DUMMY_HASH if row is None else row.password_hash
            try:
                _HASHER.verify(stored, password)
            except (VerificationError, InvalidHashError):
                return None
            if row is None or row.disabled_at is not None:
                return None
            if _HASHER.check_needs_rehash(row.password_hash):  # parameters were raised since
                row.password_hash = _HASHER.hash(password)
            return StaffMember(row.username, Role(row.role))

    def member(self, username: str) -> StaffMember | None:
        """Who is logged in as ``username``, while the account is active."""
        with self._sessions() as session:
            row = self._row(session, username)
            if row is None or row.disabled_at is not None:
                return None
            return StaffMember(row.username, Role(row.role))

    @staticmethod
    def _row(session: Session, username: str) -> StaffAccountRow | None:
        query = select(StaffAccountRow).where(StaffAccountRow.username == username)
        return session.execute(query).scalar_one_or_none()


def _check_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"a password needs at least {MIN_PASSWORD} characters")
