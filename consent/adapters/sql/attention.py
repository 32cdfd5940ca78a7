"""The attention list's reader in SQL: every item across all courses in six statements
whatever the ledger's size (the submissions staff must act on, the rejected consents, the
consents of unknown courses and the results waiting for their day counted per course, the
held uploads, the seen marks), and the seen marks kept with their audit entry."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Final

from sqlalchemy import Engine, delete, exists, func, select
from sqlalchemy.orm import Session, sessionmaker

from consent.adapters.sql import participants
from consent.adapters.sql.audit import audit_row
from consent.adapters.sql.tables import (
    AttentionSeenRow,
    ConsentRow,
    CourseRow,
    ParticipantRow,
    PendingImportRow,
    ResultRow,
    SubmissionRow,
)
from consent.attention import Found, Kind
from consent.model import AuditEntry, Binding, ConsentState, SubmissionState
from consent.ports import Clock, PiiCipher
from consent.views import shown

# A submission's state, as the list's kind of it.
KINDS: Final = {
    SubmissionState.FAILED.value: Kind.FAILED,
    SubmissionState.PARKED.value: Kind.PARKED,
    SubmissionState.DELETED.value: Kind.GONE,
    SubmissionState.ATTENTION.value: Kind.UNSUPPORTED,
}


# Where KOSKI's last answer is what staff act on: its words are shown with its keys.
_ANSWERED: Final = frozenset({SubmissionState.FAILED.value, SubmissionState.PARKED.value})


class SqlAttention:
    """Reads the attention list's raw items and keeps the marks of those staff saw."""

    def __init__(self, engine: Engine, cipher: PiiCipher, clock: Clock) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._cipher = cipher
        self._clock = clock

    def attention_found(self) -> list[Found]:
        """Every item across all courses (five statements)."""
        with self._sessions() as session:
            return [
                *self._submissions(session),
                *self._rejected(session),
                *self._unknown_courses(session),
                *self._waiting(session),
                *self._held_uploads(session),
            ]

    def seen_marks(self) -> dict[str, str]:
        """The fingerprint each item was marked seen in, by item key (one statement)."""
        query = select(AttentionSeenRow.item_key, AttentionSeenRow.fingerprint)
        with self._sessions() as session:
            return {key: digest for key, digest in session.execute(query).all()}  # noqa: C416 - rows, typed

    def mark_seen(self, key: str, fingerprint: str, entry: AuditEntry) -> None:
        """Keep the item's mark (replacing an older one) and its audit entry together."""
        with self._sessions.begin() as session:
            session.execute(delete(AttentionSeenRow).where(AttentionSeenRow.item_key == key))
            session.add(
                AttentionSeenRow(
                    item_key=key,
                    fingerprint=fingerprint,
                    seen_by=entry.actor[:64],
                    seen_at=self._clock(),
                )
            )
            session.add(audit_row(entry, self._clock))

    def _submissions(self, session: Session) -> Iterator[Found]:
        """Failed, parked, gone from KOSKI and in doubt; one gone from KOSKI only while its
        consent is not registered revoked and its result not removed (then it is settled)."""
        settled = (SubmissionRow.state == SubmissionState.DELETED.value) & (
            (func.coalesce(ConsentRow.state, "") == ConsentState.REVOKED.value)
            | ResultRow.removed_at.is_not(None)
        )
        query = (
            select(SubmissionRow, CourseRow.code, ParticipantRow)
            .join(ResultRow, ResultRow.id == SubmissionRow.result_id)
            .join(CourseRow, CourseRow.id == ResultRow.course_id)
            .join(ParticipantRow, ParticipantRow.id == ResultRow.participant_id)
            .outerjoin(ConsentRow, ConsentRow.id == ResultRow.consent_id)
            .where(SubmissionRow.state.in_(list(KINDS)), ~settled)
        )
        for sub, code, person in session.execute(query):
            keys = tuple(sub.last_error_keys or ())
            yield Found(
                KINDS[sub.state],
                str(sub.id),
                code,
                sub.updated_at,
                state=_state_of(sub, keys),
                codes=(sub.attention,) if sub.attention else keys,
                participant=shown(participants.person(self._cipher, person)),
                submission_id=sub.id,
                message=sub.last_error_message if sub.state in _ANSWERED else None,
            )

    def _rejected(self, session: Session) -> Iterator[Found]:
        """Consents signed by someone who may not consent, until a valid one replaces them."""
        query = (
            select(ConsentRow, ParticipantRow, CourseRow.id)
            .join(ParticipantRow, ParticipantRow.id == ConsentRow.participant_id)
            .outerjoin(CourseRow, CourseRow.code == ConsentRow.course_code)
            .where(ConsentRow.state == ConsentState.REJECTED.value)
        )
        for consent, person, course_id in session.execute(query):
            yield Found(
                Kind.REJECTED_CONSENT,
                str(consent.id),
                consent.course_code,
                consent.updated_at,
                state=(consent.reason or "", consent.updated_at.isoformat()),
                codes=(consent.reason,) if consent.reason else (),
                participant=shown(participants.person(self._cipher, person)),
                course_defined=course_id is not None,
            )

    def _unknown_courses(self, session: Session) -> Iterator[Found]:
        """Per course code no course has: how many consents, since the first came."""
        defined = select(CourseRow.id).where(CourseRow.code == ConsentRow.course_code)
        query = (
            select(
                ConsentRow.course_code,
                func.count(ConsentRow.id),
                func.min(ConsentRow.created_at),
                func.max(ConsentRow.id),
            )
            .where(~exists(defined))
            .group_by(ConsentRow.course_code)
        )
        for code, count, first, last in session.execute(query):
            yield Found(
                Kind.UNKNOWN_COURSE,
                code,
                code,
                _utc(first),
                state=(str(count), str(last)),
                records=count,
                course_defined=False,
            )

    def _waiting(self, session: Session) -> Iterator[Found]:
        """Per course: its results dated after today, sent on their day, since the first
        was imported."""
        query = (
            select(
                CourseRow.id,
                CourseRow.code,
                func.count(ResultRow.id),
                func.min(ResultRow.created_at),
                func.max(ResultRow.updated_at),
            )
            .join(CourseRow, CourseRow.id == ResultRow.course_id)
            .where(ResultRow.binding == Binding.WAITING_FOR_END.value)
            .where(ResultRow.removed_at.is_(None))
            .group_by(CourseRow.id, CourseRow.code)
        )
        for course_id, code, count, first, last in session.execute(query):
            yield Found(
                Kind.WAITING_FOR_END,
                str(course_id),
                code,
                _utc(first),
                state=(str(count), _utc(last).isoformat()),
                codes=(Binding.WAITING_FOR_END.value,),
                records=count,
            )

    def _held_uploads(self, session: Session) -> Iterator[Found]:
        """Uploads checked and never confirmed, by what they were for. The item's subject
        is a digest of the upload id: the id itself is the uploader's to confirm with."""
        query = select(
            PendingImportRow.id,
            PendingImportRow.course_code,
            PendingImportRow.purpose,
            PendingImportRow.uploaded_at,
        )
        for upload_id, code, purpose, uploaded_at in session.execute(query):
            yield Found(
                Kind.UNCONFIRMED_IMPORT,
                hashlib.sha256(upload_id.encode()).hexdigest()[:16],
                code,
                uploaded_at,
                codes=(purpose,),
            )


def _state_of(sub: SubmissionRow, keys: tuple[str, ...]) -> tuple[str, ...]:
    """What a submission's seen mark holds to: its state, attempts, KOSKI's last answer and
    keys, and when it last changed (a retry that failed again is news, even with the same
    keys)."""
    answer = (sub.state, str(sub.attempts), str(sub.last_status), sub.attention or "")
    return (*answer, *keys, sub.updated_at.isoformat())


def _utc(value: dt.datetime | str) -> dt.datetime:
    """An aggregate's timestamp, aware: SQLite hands ``min``/``max`` of a column back as the
    text it stores (naive UTC), PostgreSQL as the aware value."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
