"""One person's data in the SQL ledger, for their requests: everything held about them
(read by :class:`consent.adapters.sql.person_export.PersonExportReader`), a result removed,
a contact deleted.

What a removal does to a result's KOSKI record the core decides
(:func:`consent.staff_actions.people.remove_result`); this stores it, in one transaction,
only if the record is still as the decision read it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

from sqlalchemy import Engine, and_, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from consent.adapters.sql import purposes
from consent.adapters.sql.audit import audit_row
from consent.adapters.sql.person_export import PersonExportReader
from consent.adapters.sql.submissions import column_values
from consent.adapters.sql.tables import EnrolmentRow, ResultRow, SubmissionRow
from consent.errors import NotFound
from consent.hetu import Hetu
from consent.model import AuditEntry, Binding, SubmissionState
from consent.oppijanumero import Oppijanumero
from consent.person_views import PersonExport
from consent.ports import Clock, PiiCipher
from consent.results import ResultSubmission
from consent.submissions import SubmissionChange

NO_CONTACT: Final = "{}"  # a deleted contact: the connector invites no one, staff hand the link


class SqlPeople:
    """:class:`consent.ports.People` in SQL; each method is one transaction."""

    def __init__(self, engine: Engine, cipher: PiiCipher, clock: Clock) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._cipher = cipher
        self._clock = clock

    def person_export(self, who: Hetu | Oppijanumero) -> PersonExport:
        """Everything held about the person of a hetu or an oid, as participant and as signer: nine
        statements whatever they hold."""
        with self._sessions.begin() as session:
            return PersonExportReader(self._cipher).read(session, who)

    def result_for_removal(self, result_id: int) -> tuple[int, ResultSubmission | None]:
        """The result's participant and its submission as a removal decides on it;
        :class:`NotFound` for no such result (or one removed already)."""
        query = (
            select(
                ResultRow.participant_id, SubmissionRow.id, SubmissionRow.state, SubmissionRow.oid
            )
            .outerjoin(SubmissionRow, SubmissionRow.result_id == ResultRow.id)
            .where(ResultRow.id == result_id, ResultRow.removed_at.is_(None))
        )
        with self._sessions.begin() as session:
            found = session.execute(query).one_or_none()
        if found is None:
            raise NotFound(f"no result {result_id}")
        pid, sub_id, state, oid = found
        submission = (
            None if sub_id is None else ResultSubmission(sub_id, SubmissionState(state), oid)
        )
        return pid, submission

    def remove_result(
        self,
        result_id: int,
        submission: ResultSubmission | None,
        change: SubmissionChange | None,
        entries: Sequence[AuditEntry],
    ) -> bool:
        """Remove the result as decided, audited with ``entries``: deleted outright when it has
        no submission, else kept marked (the KOSKI history hangs on it) and its submission
        changed by ``change``. False, changing nothing, when the result or its submission is
        no longer as ``submission`` says (a sender took it meanwhile, or binding gave it a
        submission: the foreign key then refuses the delete)."""
        try:
            return self._remove(result_id, submission, change, entries)
        except IntegrityError:
            return False

    def _remove(
        self,
        result_id: int,
        submission: ResultSubmission | None,
        change: SubmissionChange | None,
        entries: Sequence[AuditEntry],
    ) -> bool:
        now = self._clock()
        with self._sessions.begin() as session:
            if submission is None:
                has_one = select(SubmissionRow.id).where(SubmissionRow.result_id == result_id)
                if session.execute(has_one).first() is not None:
                    return False
                gone = session.execute(
                    delete(ResultRow)
                    .where(ResultRow.id == result_id, ResultRow.removed_at.is_(None))
                    .returning(ResultRow.id)
                ).first()
                if gone is None:
                    return False
            else:
                if not _still(session, submission, change, now):
                    return False
                session.execute(
                    update(ResultRow)
                    .where(ResultRow.id == result_id)
                    .values(removed_at=now, binding=Binding.REMOVED.value, updated_at=now)
                )
            session.add_all(audit_row(entry, self._clock) for entry in entries)
        return True

    def delete_contact(self, enrolment_id: int, entry: AuditEntry) -> None:
        """Forget the enrolment's contact details (an empty contact is sealed in their place),
        audited with ``entry``; :class:`NotFound` for no such enrolment."""
        sealed = self._cipher.seal(NO_CONTACT, purposes.CONTACT)
        with self._sessions.begin() as session:
            row = session.get(EnrolmentRow, enrolment_id)
            if row is None:
                raise NotFound(f"no enrolment {enrolment_id}")
            row.contact_key_id, row.contact_sealed = sealed.key_id, sealed.blob
            row.updated_at = self._clock()
            session.add(audit_row(entry, self._clock))

    def audit(self, entry: AuditEntry) -> None:
        """Add an entry to the audit trail (ids and counts only)."""
        with self._sessions.begin() as session:
            session.add(audit_row(entry, self._clock))


def _still(
    session: Session,
    submission: ResultSubmission,
    change: SubmissionChange | None,
    now: dt.datetime,
) -> bool:
    """Apply ``change`` to the submission if it is still in the state it was read in (with
    no change, only check that it is): the conditional update a sender's claim races."""
    same = and_(
        SubmissionRow.id == submission.submission_id, SubmissionRow.state == submission.state.value
    )
    if change is None:
        return session.execute(select(SubmissionRow.id).where(same)).first() is not None
    values = column_values(change) | {"updated_at": now}
    changed = update(SubmissionRow).where(same).values(**values).returning(SubmissionRow.id)
    return session.execute(changed).first() is not None
