"""Pure decisions about consent: who may sign for whom, and how a consent's state moves.

Age is reckoned on the signing day in Finland (Europe/Helsinki): someone who turns 18 on
the day they sign signs as an adult.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, Protocol
from zoneinfo import ZoneInfo

from consent.events import EventKind
from consent.model import ConsentState, Participant, Person

FINLAND: Final = ZoneInfo("Europe/Helsinki")

MINOR_SIGNED_ALONE: Final = "participant is under 18 on the signing day; a guardian must sign"
GUARDIAN_IS_MINOR: Final = "the guardian who signed is under 18 on the signing day"
ADULT_SIGNED_BY_OTHER: Final = "participant is 18 or over; only they may sign their consent"
BORN_AFTER_SIGNING: Final = "participant was born after the signing day"


@dataclass(frozen=True)
class SignerDecision:
    """Whether the signature makes a valid consent, as whom, and if not, why."""

    state: ConsentState
    relation: str | None  # "self" or "guardian" when valid
    reason: str | None = None


def signing_day(signed_at: dt.datetime) -> dt.date:
    """The calendar day in Finland on which a signature was made."""
    return signed_at.astimezone(FINLAND).date()


class Aged(Protocol):
    """Who signs or is signed for, as the rule sees them: a birth date and whether a minor;
    equal only to the same person. A :class:`Hetu`, or an :class:`OidPerson`."""

    @property
    def birth_date(self) -> dt.date: ...

    def is_minor_on(self, day: dt.date) -> bool: ...


def identity(participant: Participant) -> Aged:
    """What the rule judges of a participant: the hetu, or the oid person themself."""
    return participant.hetu if isinstance(participant, Person) else participant


def decide_signer(participant: Aged, signer: Aged | None, signed_at: dt.datetime) -> SignerDecision:
    """An adult signs for themself; a minor's guardian, another adult, signs for them.

    ``signer`` None is a guardian known by name only, on a paper form whose signer staff
    checked in person: another person than the participant, and an adult on staff's word.
    """
    day = signing_day(signed_at)
    if participant.birth_date > day:
        return SignerDecision(ConsentState.REJECTED, None, BORN_AFTER_SIGNING)
    if participant.is_minor_on(day):
        if signer == participant:
            return SignerDecision(ConsentState.REJECTED, None, MINOR_SIGNED_ALONE)
        if signer is not None and signer.is_minor_on(day):
            return SignerDecision(ConsentState.REJECTED, None, GUARDIAN_IS_MINOR)
        return SignerDecision(ConsentState.VALID, "guardian")
    if signer != participant:
        return SignerDecision(ConsentState.REJECTED, None, ADULT_SIGNED_BY_OTHER)
    return SignerDecision(ConsentState.VALID, "self")


@dataclass(frozen=True)
class Transition:
    """The consent's next state (None: unchanged) and a short note for the audit trail."""

    state: ConsentState | None
    note: str


def next_state(
    current: ConsentState | None,
    event: EventKind,
    decision: SignerDecision | None,
    already_sent: bool,
) -> Transition:
    """How a consent moves when an event arrives.

    A signed event replaces anything but a revocation; a rejected signature never
    downgrades a valid consent; a cancellation withdraws a valid consent only while
    nothing has been sent (after that, withdrawal is a revocation through OPH).
    """
    if current is ConsentState.REVOKED:
        return Transition(None, "consent is revoked; the event changes nothing")
    if event is EventKind.SIGNED:
        if decision is None:
            raise ValueError("a signed event needs a signer decision")
        return _on_signed(current, decision)
    return _on_cancelled(current, already_sent)


def _on_signed(current: ConsentState | None, decision: SignerDecision) -> Transition:
    if decision.state is ConsentState.REJECTED and current is ConsentState.VALID:
        return Transition(None, "rejected signature ignored; a valid consent stands")
    return Transition(decision.state, f"signed: {decision.state.value}")


def _on_cancelled(current: ConsentState | None, already_sent: bool) -> Transition:
    if current in (ConsentState.CANCELLED, ConsentState.WITHDRAWN):
        return Transition(None, "already cancelled")
    if current is ConsentState.VALID:
        if already_sent:
            return Transition(None, "cancellation after sending ignored; revoke through OPH")
        return Transition(ConsentState.WITHDRAWN, "withdrawn before anything was sent")
    return Transition(ConsentState.CANCELLED, "cancelled")
