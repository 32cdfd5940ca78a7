"""The weekly attention e-mail's side of the ledger: who gets it (staff accounts with an
address and the weekly flag), each account's mail settings, and the audit entries that
record each week's sending, which decide whether a week's e-mail is still due."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import sessionmaker

from consent.adapters.sql.audit import audit_row
from consent.adapters.sql.tables import AuditRow, StaffAccountRow
from consent.attention_mail import MAILED, WEEKLY, AccountMail, Recipient
from consent.model import AuditEntry
from consent.ports import Clock


class SqlAttentionMail:
    """Reads the weekly e-mail's recipients and records, keeps each account's address."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._clock = clock

    def recipients(self) -> list[Recipient]:
        """The active accounts with an address and the weekly e-mail on, by id, each with the
        language of its staff pages (the e-mail's too)."""
        query = (
            select(StaffAccountRow.id, StaffAccountRow.email, StaffAccountRow.language)
            .where(
                StaffAccountRow.weekly_mail.is_(True),
                StaffAccountRow.email.is_not(None),
                StaffAccountRow.disabled_at.is_(None),
            )
            .order_by(StaffAccountRow.id)
        )
        with self._sessions() as session:
            rows = session.execute(query).all()
        return [Recipient(id_, address, language) for id_, address, language in rows if address]

    def mailed_since(self, moment: dt.datetime) -> bool:
        """Whether a weekly sending was audited at or after ``moment``."""
        query = select(func.count(AuditRow.id)).where(
            AuditRow.action == MAILED, AuditRow.actor == WEEKLY, AuditRow.occurred_at >= moment
        )
        with self._sessions() as session:
            return bool(session.execute(query).scalar_one())

    def audit(self, entry: AuditEntry) -> None:
        """Add one line to the audit trail."""
        with self._sessions.begin() as session:
            session.add(audit_row(entry, self._clock))

    def account_mail(self, username: str) -> AccountMail | None:
        """An account's address and weekly flag; None for no such account."""
        if "\x00" in username:  # names no account; PostgreSQL refuses to even compare it
            return None
        query = select(
            StaffAccountRow.id, StaffAccountRow.email, StaffAccountRow.weekly_mail
        ).where(StaffAccountRow.username == username)
        with self._sessions() as session:
            row = session.execute(query).one_or_none()
        return None if row is None else AccountMail(row[0], row[1], row[2])

    def save_mail(self, mail: AccountMail, entry: AuditEntry) -> None:
        """Keep an account's address and weekly flag with the change's audit entry, in one
        transaction."""
        with self._sessions.begin() as session:
            row = session.get_one(StaffAccountRow, mail.account_id)
            row.email, row.weekly_mail = mail.address, mail.weekly
            session.add(audit_row(entry, self._clock))
