"""The ledger's tables, as SQLAlchemy 2 declarative mappings.

The schema itself is owned by the Alembic history in ``migrations/``; a test compares
these mappings with a migrated database on SQLite and PostgreSQL so the two never drift.
Personal data appears only sealed (``*_sealed`` with its ``*_key_id``) or as a keyed
blind index (``*_index``); nothing here stores a hetu or a name in clear.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

LIVE_WITH_OID = "state IN ('sent', 'attention') AND oid IS NOT NULL"  # consent.reconciliation.LIVE
Id = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements INTEGER keys only
Json = JSON().with_variant(JSONB(), "postgresql")


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)  # noqa: S101 - the column type guarantees it
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base with constraint names that are stable across backends."""

    metadata = MetaData(naming_convention=NAMING)


class InboxRow(Base):
    """One signed webhook delivery, stored before it is acknowledged. Kept forever."""

    __tablename__ = "webhook_inbox"
    __table_args__ = (UniqueConstraint("source", "webhook_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    webhook_id: Mapped[str] = mapped_column(String(128))
    webhook_timestamp: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[str] = mapped_column(String(2048))
    key_id: Mapped[str] = mapped_column(String(16))
    event_type: Mapped[str] = mapped_column(String(32))
    body_key_id: Mapped[str] = mapped_column(String(32))
    body_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    body_sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(16), index=True, default="received")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(64))
    processed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class ParticipantRow(Base):
    """A person whose course results may be sent, found by the blind index of their hetu, or
    of their oppijanumero (oid) if they have no hetu; such a person's birth date is sealed
    beside it, for the age rule (migration 0016)."""

    __tablename__ = "participants"
    __table_args__ = (
        CheckConstraint("(hetu_index IS NULL) <> (oid_index IS NULL)", name="one_identity"),
        CheckConstraint(
            "oid_index IS NULL OR birth_date_sealed IS NOT NULL", name="oid_has_birth_date"
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    hetu_index: Mapped[str | None] = mapped_column(String(64), unique=True)
    hetu_key_id: Mapped[str | None] = mapped_column(String(32))
    hetu_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    oid_index: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    oid_key_id: Mapped[str | None] = mapped_column(String(32))
    oid_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    birth_date_key_id: Mapped[str | None] = mapped_column(String(32))
    birth_date_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    names_key_id: Mapped[str | None] = mapped_column(String(32))
    names_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ConsentRow(Base):
    """A participant's consent for one course, in its current state; history is in the audit."""

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("course_code", "participant_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    course_code: Mapped[str] = mapped_column(String(64), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(200))
    document_id: Mapped[str | None] = mapped_column(String(128))
    signed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    signer_relation: Mapped[str | None] = mapped_column(String(16))
    signer_index: Mapped[str | None] = mapped_column(String(64))
    signer_key_id: Mapped[str | None] = mapped_column(String(32))
    signer_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    inbox_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_inbox.id"))
    event_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # A consent staff recorded from a paper form: who recorded it, and the scanned PDF.
    recorded_by: Mapped[str | None] = mapped_column(String(64))
    pdf_key_id: Mapped[str | None] = mapped_column(String(32))
    pdf_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class CourseRow(Base):
    """One implementation of a training, as staff defined it."""

    __tablename__ = "courses"
    __table_args__ = (CheckConstraint("laajuus_op > 0", name="laajuus_positive"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_fi: Mapped[str] = mapped_column(String(300))
    name_sv: Mapped[str | None] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    opintokokonaisuus: Mapped[str] = mapped_column(String(4))
    laajuus_op: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    end_date: Mapped[dt.date] = mapped_column(Date)
    oppilaitos_oid: Mapped[str] = mapped_column(String(64))
    toimipiste_oid: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    grading_scale: Mapped[str] = mapped_column(String(24))
    confirmer_name: Mapped[str] = mapped_column(String(200))
    confirmer_title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class CoursePartRow(Base):
    """A part (osasuoritus) of a course, in the order staff listed it."""

    __tablename__ = "course_parts"
    __table_args__ = (
        UniqueConstraint("course_id", "code"),
        CheckConstraint("laajuus_op > 0", name="laajuus_positive"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    laajuus_op: Mapped[Decimal] = mapped_column(Numeric(7, 2))


class ResultRow(Base):
    """A participant's graded result for a course, and what binding decided about it."""

    __tablename__ = "results"
    __table_args__ = (UniqueConstraint("course_id", "participant_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    grade: Mapped[str] = mapped_column(String(16))
    graded_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)  # None: on the course's end date
    status: Mapped[str] = mapped_column(String(16))
    part_grades: Mapped[Any | None] = mapped_column(Json)
    content_hash: Mapped[str] = mapped_column(String(64))
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consents.id"))
    binding: Mapped[str] = mapped_column(String(24), index=True)
    # Removed by staff on request, kept only because KOSKI history hangs on it; never sent.
    removed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class SubmissionRow(Base):
    """The transfer of one result to KOSKI: its lähdejärjestelmänId and what KOSKI said."""

    __tablename__ = "koski_submissions"
    # Reconciliation's "longest unseen first" scan of the live records (migration 0012).
    __table_args__ = (
        Index(
            "ix_koski_submissions_due_check",
            text("coalesce(checked_at, sent_at)"),
            "id",
            postgresql_where=text(LIVE_WITH_OID),
            sqlite_where=text(LIVE_WITH_OID),
        ),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id"), unique=True)
    source_id: Mapped[str] = mapped_column(String(64), unique=True)
    source_system: Mapped[str] = mapped_column(String(32))
    oid: Mapped[str | None] = mapped_column(String(64))
    versionumero: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), index=True)
    payload_hash: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))  # the job id that sends it
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error_keys: Mapped[Any | None] = mapped_column(Json)
    last_error_message: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    attention: Mapped[str | None] = mapped_column(String(32))  # why KOSKI's record is in doubt
    checked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)  # last found in KOSKI
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class RevocationRow(Base):
    """A consent revoked through OPH: nothing for it is ever sent again."""

    __tablename__ = "revocations"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("consents.id"), unique=True)
    registered_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    registered_by: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    notified_on: Mapped[dt.date | None] = mapped_column(Date)  # when OPH told the organiser


class AuditRow(Base):
    """One entry of the append-only audit trail; database triggers refuse updates and deletes."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(BigInteger)
    details: Mapped[Any | None] = mapped_column(Json)


class StaffTokenRow(Base):
    """A staff member's API token, stored as a SHA-256 digest only."""

    __tablename__ = "staff_tokens"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class StaffAccountRow(Base):
    """A staff member who logs in to the web pages; the password only as an Argon2id hash."""

    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    email: Mapped[str | None] = mapped_column(String(254))
    weekly_mail: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The staff pages' language for this account (fi, sv); Finnish unless chosen.
    language: Mapped[str] = mapped_column(String(2), default="fi", server_default="fi")


class StaffSessionRow(Base):
    """A logged-in session of the staff pages; the cookie carries its random id, this row only
    the id's SHA-256, so a session ends for good when its row is deleted (logout, a password
    change, the account disabled)."""

    __tablename__ = "staff_sessions"

    id_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class PendingImportRow(Base):
    """An uploaded results file held sealed between its preview and the staff's confirmation."""

    __tablename__ = "pending_imports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    course_code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    # What it is for (results, enrolments): confirmed only as what it was checked as.
    purpose: Mapped[str] = mapped_column(String(16), server_default="results")
    content_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    key_id: Mapped[str] = mapped_column(String(32))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class EnrolmentRow(Base):
    """A participant invited to sign a course's consent (themself, or their guardian for them),
    and how far the signing connector has got: document, invitation, outcome, event posted."""

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("course_code", "participant_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    course_code: Mapped[str] = mapped_column(String(64))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    signer_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    contact_key_id: Mapped[str] = mapped_column(String(32))
    contact_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(16))
    document_uuid: Mapped[str | None] = mapped_column(String(64), unique=True)
    file_added: Mapped[bool] = mapped_column(default=False)
    invitation_uuid: Mapped[str | None] = mapped_column(String(64))
    signing_url: Mapped[str | None] = mapped_column(Text)
    checks: Mapped[int] = mapped_column(Integer, default=0)
    next_check_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    outcome_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    outcome_reason: Mapped[str | None] = mapped_column(String(32))
    pdf_key_id: Mapped[str | None] = mapped_column(String(32))
    pdf_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    event_posted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class AttentionSeenRow(Base):
    """An attention list item a staff member marked seen, in the state (its fingerprint) they
    saw it in: the item is shown as seen while its state still matches."""

    __tablename__ = "attention_seen"

    item_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    seen_by: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
