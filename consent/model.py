"""What the ledger holds, as frozen values with no I/O.

Names and hetus are fields with ``repr=False``: printing a value never shows them.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any, Final, TypeAlias

from consent.hetu import ADULT_AGE, Hetu, age_on
from consent.oppijanumero import Oppijanumero


class ConsentState(enum.StrEnum):
    """Where a participant's consent for a course stands."""

    VALID = "valid"
    REJECTED = "rejected"  # signed, but by someone who may not consent for this participant
    CANCELLED = "cancelled"  # the signer cancelled, or the invitation expired
    WITHDRAWN = "withdrawn"  # cancelled after signing, before anything was sent
    REVOKED = "revoked"  # revoked through OPH: never send again


class Binding(enum.StrEnum):
    """What binding decided about a result: eligible to send, or why not (staff read each in
    their own words). A string enum: the ledger stores, and the API shows, its value."""

    PENDING = "pending"  # imported, not yet judged against its consent
    ELIGIBLE = "eligible"
    NO_CONSENT = "no_consent"
    CONSENT_REJECTED = "consent_rejected"
    CONSENT_CANCELLED = "consent_cancelled"
    CONSENT_REVOKED = "consent_revoked"
    NOT_PASSED = "not_passed"  # completed, and no part passed
    NO_ASSESSED_PART = "no_assessed_part"  # interrupted, and no part passed
    SINGLE_PART_INTERRUPTED = "single_part_interrupted"  # keskeytynyt needs two parts or more
    WAITING_FOR_END = "waiting_for_end"  # dated after today: goes out on its day
    REMOVED = "removed"  # removed by staff on request (a wrong hetu, a person who asked)


class SubmissionState(enum.StrEnum):
    """Where the transfer of one result to KOSKI stands."""

    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    SENT = "sent"
    FAILED = "failed"  # KOSKI refused it; staff must act
    PARKED = "parked"  # retries exhausted; staff must act
    INVALIDATED = "invalidated"
    REVOKED = "revoked"
    DELETED = "deleted"  # gone from KOSKI without our doing
    # A live KOSKI record the ledger no longer supports (its attention says why); staff decide.
    ATTENTION = "attention"
    # Never reached KOSKI, and its result may no longer be sent; binding it eligible sends it.
    WITHDRAWN = "withdrawn"


# What staff may send again by hand, with a fresh count of attempts.
RETRYABLE: Final = frozenset({SubmissionState.PARKED, SubmissionState.FAILED})


class InboxState(enum.StrEnum):
    """Where a stored webhook delivery stands."""

    RECEIVED = "received"
    PROCESSED = "processed"
    FAILED = "failed"


@dataclass(frozen=True)
class Person:
    """A person identified by hetu, with names as they signed or were enrolled."""

    hetu: Hetu
    first_names: str = field(repr=False)
    last_name: str = field(repr=False)

    @property
    def birth_date(self) -> dt.date:
        """The birth date the hetu gives."""
        return self.hetu.birth_date


@dataclass(frozen=True)
class OidPerson:
    """A person without a hetu (DESIGN §3.6 "Identity"), identified by KOSKI's oppijanumero;
    the birth date, which no oid gives, as staff recorded it, for the age rule."""

    oid: Oppijanumero
    birth_date: dt.date = field(repr=False)
    first_names: str = field(repr=False)
    last_name: str = field(repr=False)

    def is_minor_on(self, day: dt.date) -> bool:
        """True if under 18 on ``day``."""
        return age_on(self.birth_date, day) < ADULT_AGE


Participant: TypeAlias = Person | OidPerson
"""Whoever a result or a consent is for: identified by a hetu, or by an oppijanumero."""


@dataclass(frozen=True)
class InboxDelivery:
    """A verified webhook delivery, as it is to be stored before it is acknowledged."""

    source: str
    webhook_id: str
    timestamp: int
    signature: str
    key_id: str
    event_type: str
    body: bytes = field(repr=False)
    received_at: dt.datetime


@dataclass(frozen=True)
class InboxReceipt:
    """The inbox row a delivery landed in, and whether it had been stored before."""

    inbox_id: int
    duplicate: bool


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit trail. ``details`` must hold ids and codes, never personal data."""

    actor: str
    action: str
    subject_type: str
    subject_id: int | None
    details: dict[str, Any] = field(default_factory=dict)
    occurred_at: dt.datetime | None = None


@dataclass(frozen=True)
class ConsentRecord:
    """A participant's consent for one course as the ledger holds it; ``id`` is None until saved."""

    id: int | None
    course_code: str
    participant_id: int
    state: ConsentState
    reason: str | None
    document_id: str | None
    signed_at: dt.datetime | None
    signer_relation: str | None
    signer: Person | None
    inbox_id: int | None
    event_at: dt.datetime | None
