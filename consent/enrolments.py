"""An enrolment: one participant asked to sign one course's consent, and how far it has come.

The signing connector (:mod:`consent.connector`) decides each step and tells the store what
happened as one of the :data:`EnrolmentChange` values; the store only keeps it.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from consent.model import Person


class EnrolmentState(enum.StrEnum):
    """How far one participant's signing has come."""

    NEW = "new"  # enrolled; no invitation yet
    INVITED = "invited"  # waiting for the signer
    SIGNED = "signed"
    CANCELLED = "cancelled"  # declined, cancelled or expired


@dataclass(frozen=True)
class Enrolment:
    """Everything the connector knows about one participant's consent request."""

    id: int
    course_code: str
    participant: Person
    signer: Person
    contact: Mapping[str, str] = field(repr=False)
    state: EnrolmentState
    document: str | None
    file_added: bool
    invitation: str | None
    checks: int
    expires_at: dt.datetime
    outcome_at: dt.datetime | None
    event_posted: bool


@dataclass(frozen=True)
class EnrolmentRow:
    """One checked row of an enrolment file: who is enrolled, who signs, how to reach them."""

    participant: Person
    signer: Person
    contact: dict[str, str]


@dataclass(frozen=True)
class DocumentCreated:
    """The signing service made the enrolment's document (once per enrolment)."""

    document: str


@dataclass(frozen=True)
class FormAttached:
    """The consent form is on the document."""


@dataclass(frozen=True)
class InvitationMade:
    """The signer is invited; kept before anything else is asked of the invitation."""

    invitation: str


@dataclass(frozen=True)
class Invited:
    """The invitation has its signing link; the first look at the outcome is due then."""

    invitation: str
    signing_url: str
    next_check_at: dt.datetime


@dataclass(frozen=True)
class Checked:
    """The document is still unsigned: this was look number ``checks``; the next is due then."""

    checks: int
    next_check_at: dt.datetime


@dataclass(frozen=True)
class Signed:
    """The signer signed (the signed form is kept on its own, sealed)."""

    outcome_at: dt.datetime


@dataclass(frozen=True)
class Cancelled:
    """No signature will come: ``outcome_reason`` is ``cancelled``, ``deleted`` or ``expired``."""

    outcome_at: dt.datetime
    outcome_reason: str


@dataclass(frozen=True)
class EventPosted:
    """The intake took the outcome's consent event; nothing is left to check."""

    posted_at: dt.datetime


@dataclass(frozen=True)
class PostDeferred:
    """The intake was down or refused the event: it is posted again then."""

    next_check_at: dt.datetime


EnrolmentChange = (
    DocumentCreated
    | FormAttached
    | InvitationMade
    | Invited
    | Checked
    | Signed
    | Cancelled
    | EventPosted
    | PostDeferred
)
"""One step of an enrolment's progress, as the connector decided it."""


def state_after(change: EnrolmentChange) -> EnrolmentState | None:
    """The state a change moves its enrolment to; None if the state stays."""
    if isinstance(change, Invited):
        return EnrolmentState.INVITED
    if isinstance(change, Signed):
        return EnrolmentState.SIGNED
    if isinstance(change, Cancelled):
        return EnrolmentState.CANCELLED
    return None
