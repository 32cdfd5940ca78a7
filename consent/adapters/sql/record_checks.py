"""When each live KOSKI record was last found there, in the SQL ledger (``checked_at``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select, update

from consent.adapters.sql.tables import SubmissionRow
from consent.reconciliation import LIVE

_LIVE_STATES = tuple(state.value for state in LIVE)


class SqlRecordChecks:
    """:class:`consent.ports.RecordChecks` over the submissions table; each call one statement."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def due_checks(self, unseen_since: dt.datetime, limit: int) -> list[int]:
        """Live records last found in KOSKI (or, never checked, sent) before ``unseen_since``,
        the longest unseen first."""
        last_seen = func.coalesce(SubmissionRow.checked_at, SubmissionRow.sent_at)
        query = (
            select(SubmissionRow.id)
            .where(
                SubmissionRow.state.in_(_LIVE_STATES),
                SubmissionRow.oid.is_not(None),
                last_seen < unseen_since,
            )
            .order_by(last_seen, SubmissionRow.id)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def found(self, submission_id: int, oid: str, at: dt.datetime) -> None:
        """Note that KOSKI held record ``oid`` at ``at``, if the submission still names it."""
        with self._engine.begin() as connection:
            connection.execute(
                update(SubmissionRow)
                .where(
                    SubmissionRow.id == submission_id,
                    SubmissionRow.oid == oid,
                    SubmissionRow.state.in_(_LIVE_STATES),
                )
                .values(checked_at=at)
            )
