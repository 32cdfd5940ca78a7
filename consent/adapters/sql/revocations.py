"""Revocations in the SQL ledger: the consent kept but marked, its submissions stopped."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from consent.adapters.sql.audit import audit_row
from consent.adapters.sql.tables import ConsentRow, ResultRow, RevocationRow, SubmissionRow
from consent.errors import NotFound
from consent.model import AuditEntry, ConsentState, SubmissionState
from consent.ports import Clock


def revoke(
    session: Session,
    consent_id: int,
    by: str,
    source: str,
    *,
    notified_on: dt.date | None,
    clock: Clock,
) -> list[int]:
    """Mark a consent revoked (kept, never sent again) and stop its submissions; their ids.

    ``notified_on`` is the day OPH told the organiser, when staff register it."""
    now = clock()
    consent = session.get(ConsentRow, consent_id)
    if consent is None:
        raise NotFound(f"no consent {consent_id}")
    consent.state, consent.updated_at = ConsentState.REVOKED.value, now
    known = select(RevocationRow).where(RevocationRow.consent_id == consent_id)
    if session.execute(known).first() is None:
        session.add(
            RevocationRow(
                consent_id=consent_id,
                registered_at=now,
                registered_by=by[:64],
                source=source,
                notified_on=notified_on,
            )
        )
    stopped = _stop_submissions(session, consent_id, now)
    details = {"source": source} | ({"notified_on": notified_on.isoformat()} if notified_on else {})
    session.add(
        audit_row(AuditEntry(by[:64], "consent.revoked", "consent", consent_id, details), clock)
    )
    return stopped


def _stop_submissions(session: Session, consent_id: int, now: dt.datetime) -> list[int]:
    """Mark every submission under the consent revoked; their ids."""
    query = (
        select(SubmissionRow)
        .join(ResultRow, ResultRow.id == SubmissionRow.result_id)
        .where(ResultRow.consent_id == consent_id)
    )
    stopped = []
    for sub in session.execute(query).scalars():
        sub.state, sub.updated_at = SubmissionState.REVOKED.value, now
        stopped.append(sub.id)
    return stopped
