"""Staff accounts for the web pages: usernames with Argon2id password hashes (argon2-cffi),
and their sessions, held server-side so that logout and a password change end them."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from consent.adapters.sql.tables import StaffAccountRow, StaffSessionRow
from consent.errors import AccountExists, NotFound
from consent.ports import Clock
from consent.staff import PAGE_LANGUAGES, Role, StaffMember, check_password

_HASHER: Final = PasswordHasher()  # RFC 9106's second recommended Argon2id parameters
# Verified when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH: Final = _HASHER.hash("vst-consent: no such account")


class SqlStaffAccounts:
    """Creates staff accounts, checks their passwords, and finds who is logged in."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._clock = clock

    def create(self, username: str, password: str, role: Role) -> None:
        """A new account; :class:`WeakPassword` if the password breaks the core's rule,
        :class:`AccountExists` if the name is taken."""
        check_password(password)
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
            raise AccountExists(username) from None

    def set_password(self, username: str, password: str) -> bool:
        """Replace an account's password and end all its sessions (whoever knew the old one
        is logged out); False if there is no such account, :class:`WeakPassword` as for
        :meth:`create`."""
        check_password(password)
        with self._sessions.begin() as session:
            row = self._row(session, username)
            if row is None:
                return False
            row.password_hash = _HASHER.hash(password)
            _end_sessions_of(session, row.id)
            return True

    def set_language(self, username: str, language: str) -> bool:
        """The language of an account's pages from now on (its sessions go on, in the new
        language); False if there is no such account. ``language`` is one of
        :data:`PAGE_LANGUAGES`, else :class:`ValueError` (the callers offer only those)."""
        if language not in PAGE_LANGUAGES:
            raise ValueError("not a language of the staff pages")
        with self._sessions.begin() as session:
            row = self._row(session, username)
            if row is None:
                return False
            row.language = language
            return True

    def disable(self, username: str) -> bool:
        """End an account's access and all its sessions."""
        with self._sessions.begin() as session:
            row = self._row(session, username)
            if row is None or row.disabled_at is not None:
                return False
            row.disabled_at = self._clock()
            _end_sessions_of(session, row.id)
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
            return StaffMember(row.username, Role(row.role), row.language)

    def open_session(self, username: str, lifetime: dt.timedelta) -> str:
        """A new session of an account for ``lifetime``: its id, for the cookie only. The
        account's expired sessions are deleted on the way; :class:`NotFound` for no such
        account (it was verified a moment ago, so that is a bug of the caller)."""
        session_id, now = secrets.token_urlsafe(32), self._clock()
        with self._sessions.begin() as session:
            row = self._row(session, username)
            if row is None:
                raise NotFound("no such account")
            expired = delete(StaffSessionRow).where(
                StaffSessionRow.account_id == row.id, StaffSessionRow.expires_at <= now
            )
            session.execute(expired)
            session.add(
                StaffSessionRow(
                    id_sha256=_digest(session_id),
                    account_id=row.id,
                    created_at=now,
                    expires_at=now + lifetime,
                )
            )
        return session_id

    def session_member(self, session_id: str) -> StaffMember | None:
        """Who is logged in with ``session_id``, while the session lasts and the account is
        active; None for an ended, expired or unknown session."""
        query = (
            select(StaffSessionRow.expires_at, StaffAccountRow)
            .join(StaffAccountRow, StaffAccountRow.id == StaffSessionRow.account_id)
            .where(StaffSessionRow.id_sha256 == _digest(session_id))
        )
        with self._sessions() as session:
            found = session.execute(query).one_or_none()
        if found is None or found[0] <= self._clock() or found[1].disabled_at is not None:
            return None
        return StaffMember(found[1].username, Role(found[1].role), found[1].language)

    def end_session(self, session_id: str) -> None:
        """End one session (logout): its id no longer logs anyone in, even replayed."""
        with self._sessions.begin() as session:
            ended = delete(StaffSessionRow).where(StaffSessionRow.id_sha256 == _digest(session_id))
            session.execute(ended)

    @staticmethod
    def _row(session: Session, username: str) -> StaffAccountRow | None:
        if "\x00" in username:  # names no account; PostgreSQL refuses to even compare it
            return None
        query = select(StaffAccountRow).where(StaffAccountRow.username == username)
        return session.execute(query).scalar_one_or_none()


def _end_sessions_of(session: Session, account_id: int) -> None:
    session.execute(delete(StaffSessionRow).where(StaffSessionRow.account_id == account_id))


def _digest(session_id: str) -> str:
    """The stored form of a session id (256-bit random, so no slow hash is needed)."""
    return hashlib.sha256(session_id.encode(errors="surrogatepass")).hexdigest()
