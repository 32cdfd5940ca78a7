"""Enrolments in the ledger: who is asked to sign which course's consent, and the connector's
progress. Contacts and the signed PDF are sealed like every other piece of personal data."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import assert_never

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from consent.adapters.sql import enrolment_status, participants, purposes
from consent.adapters.sql.audit import audit_row
from consent.adapters.sql.tables import EnrolmentRow
from consent.enrolment_views import EnrolmentStatus
from consent.enrolments import (
    Cancelled,
    Checked,
    DocumentCreated,
    Enrolment,
    EnrolmentChange,
    EnrolmentState,
    EventPosted,
    FormAttached,
    InvitationMade,
    Invited,
    PostDeferred,
    Signed,
    state_after,
)
from consent.enrolments import EnrolmentRow as CheckedRow
from consent.errors import NotFound
from consent.model import AuditEntry
from consent.ports import Clock, PiiCipher, Sealed

_OUTCOMES = (EnrolmentState.SIGNED.value, EnrolmentState.CANCELLED.value)


class SqlEnrolments:
    """The connector's store (:class:`consent.ports.Enrolments`) and its staff views."""

    def __init__(self, engine: Engine, cipher: PiiCipher, clock: Clock) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._cipher = cipher
        self._clock = clock

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def enrol(
        self, course_code: str, rows: list[CheckedRow], expires_at: dt.datetime, actor: str
    ) -> tuple[list[int], int]:
        """Store new enrolments at once: (their ids, how many were enrolled already)."""
        now, new, known = self._clock(), [], 0
        with self._tx() as session:
            for row in rows:
                participant_id = participants.save(session, self._cipher, row.participant, now)
                existing = session.execute(
                    select(EnrolmentRow.id).where(
                        EnrolmentRow.course_code == course_code,
                        EnrolmentRow.participant_id == participant_id,
                    )
                ).scalar_one_or_none()
                if existing is not None:
                    known += 1
                    continue
                signer_id = participants.save(session, self._cipher, row.signer, now)
                contact = self._cipher.seal(json.dumps(row.contact), purposes.CONTACT)
                enrolment = EnrolmentRow(
                    course_code=course_code,
                    participant_id=participant_id,
                    signer_id=signer_id,
                    contact_key_id=contact.key_id,
                    contact_sealed=contact.blob,
                    state=EnrolmentState.NEW.value,
                    file_added=False,
                    checks=0,
                    expires_at=expires_at,
                    created_at=now,
                    updated_at=now,
                )
                session.add(enrolment)
                session.flush()
                new.append(enrolment.id)
            details = {"code": course_code, "new": len(new), "known": known}
            entry = AuditEntry(actor, "enrolments.added", "course", None, details)
            session.add(audit_row(entry, self._clock))
        return new, known

    def get(self, enrolment_id: int) -> Enrolment:
        """One enrolment, its people and contact opened."""
        with self._tx() as session:
            row = session.get(EnrolmentRow, enrolment_id)
            if row is None:
                raise NotFound(f"no enrolment {enrolment_id}")
            contact = self._cipher.open(
                Sealed(row.contact_key_id, row.contact_sealed), purposes.CONTACT
            )
            return Enrolment(
                id=row.id,
                course_code=row.course_code,
                participant=participants.load_person(session, self._cipher, row.participant_id),
                signer=participants.load_person(session, self._cipher, row.signer_id),
                contact=json.loads(contact),
                state=EnrolmentState(row.state),
                document=row.document_uuid,
                file_added=row.file_added,
                invitation=row.invitation_uuid,
                checks=row.checks,
                expires_at=row.expires_at,
                outcome_at=row.outcome_at,
                event_posted=row.event_posted_at is not None,
            )

    def record(self, enrolment_id: int, change: EnrolmentChange) -> None:
        """Keep one step of the connector's progress on one enrolment."""
        self._write(enrolment_id, _columns(change))

    def _write(self, enrolment_id: int, values: Mapping[str, object]) -> None:
        """Set these columns of the enrolment's row; a new state goes to the audit trail."""
        with self._tx() as session:
            row = session.get_one(EnrolmentRow, enrolment_id)
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = self._clock()
            if "state" in values:
                entry = AuditEntry("connector", f"enrolment.{row.state}", "enrolment", row.id)
                session.add(audit_row(entry, self._clock))

    def keep_signed_pdf(self, enrolment_id: int, pdf: bytes) -> None:
        """Keep the signed consent form permanently, sealed."""
        sealed = self._cipher.seal_bytes(pdf, purposes.SIGNED_PDF)
        self._write(enrolment_id, {"pdf_key_id": sealed.key_id, "pdf_sealed": sealed.blob})

    def signed_pdf(self, enrolment_id: int) -> bytes | None:
        """The signed consent form, if one was kept."""
        with self._tx() as session:
            row = session.get_one(EnrolmentRow, enrolment_id)
            if row.pdf_key_id is None or row.pdf_sealed is None:
                return None
            sealed = Sealed(row.pdf_key_id, row.pdf_sealed)
            return self._cipher.open_bytes(sealed, purposes.SIGNED_PDF)

    def by_document(self, document: str) -> int | None:
        """The enrolment whose signing document this is."""
        with self._tx() as session:
            query = select(EnrolmentRow.id).where(EnrolmentRow.document_uuid == document[:64])
            return session.execute(query).scalar_one_or_none()

    def check_now(self, enrolment_id: int) -> None:
        """Ask for a check at the next chance (the signer's browser came back)."""
        self._write(enrolment_id, {"next_check_at": self._clock()})

    def to_invite(self, limit: int = 500) -> list[int]:
        """Enrolments with no invitation yet."""
        query = (
            select(EnrolmentRow.id)
            .where(EnrolmentRow.state == EnrolmentState.NEW.value)
            .order_by(EnrolmentRow.id)
            .limit(limit)
        )
        with self._tx() as session:
            return list(session.execute(query).scalars())

    def to_check(self, now: dt.datetime, limit: int = 500) -> list[int]:
        """Invitations due a look, and outcomes not yet posted."""
        due = EnrolmentRow.next_check_at.is_(None) | (EnrolmentRow.next_check_at <= now)
        waiting = EnrolmentRow.state == EnrolmentState.INVITED.value
        unposted = EnrolmentRow.state.in_(_OUTCOMES) & EnrolmentRow.event_posted_at.is_(None)
        query = (
            select(EnrolmentRow.id)
            .where(due & (waiting | unposted))
            .order_by(EnrolmentRow.id)
            .limit(limit)
        )
        with self._tx() as session:
            return list(session.execute(query).scalars())

    def course_enrolments(self, course_code: str) -> list[EnrolmentStatus]:
        """Where each of the course's participants' signing stands, masked (for staff)."""
        with self._tx() as session:
            return enrolment_status.course_enrolments(session, self._cipher, course_code)


def _columns(change: EnrolmentChange) -> dict[str, object]:
    """The columns one step of progress sets, its new state's among them."""
    state = state_after(change)
    columns: dict[str, object] = {} if state is None else {"state": state.value}
    match change:
        case DocumentCreated(document):
            columns["document_uuid"] = document
        case FormAttached():
            columns["file_added"] = True
        case InvitationMade(invitation):
            columns["invitation_uuid"] = invitation
        case Invited(invitation, url, next_check):
            columns |= {"invitation_uuid": invitation, "signing_url": url}
            columns["next_check_at"] = next_check
        case Checked(checks, next_check):
            columns |= {"checks": checks, "next_check_at": next_check}
        case Signed(at):
            columns["outcome_at"] = at
        case Cancelled(at, reason):
            columns |= {"outcome_at": at, "outcome_reason": reason}
        case EventPosted(at):
            columns |= {"event_posted_at": at, "next_check_at": None}
        case PostDeferred(next_check):
            columns["next_check_at"] = next_check
        case _:
            assert_never(change)
    return columns
