"""Who may sign for whom, and how a consent's state moves."""

from __future__ import annotations

import datetime as dt

import pytest

from consent import rules
from consent.events import EventKind
from consent.hetu import Hetu
from consent.model import ConsentState, OidPerson
from consent.oppijanumero import Oppijanumero
from consent.rules import SignerDecision, Transition, decide_signer, next_state
from tests.hetus import make_hetu
from tests.oids import make_oid

SIGNED_AT = dt.datetime(2026, 9, 1, 8, 15, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 23)


def hetu(born: dt.date) -> Hetu:
    return Hetu.parse(make_hetu(born), today=TODAY)


ADULT = hetu(dt.date(1990, 5, 5))
OTHER_ADULT = hetu(dt.date(1985, 3, 3))
MINOR = hetu(dt.date(2010, 1, 1))
OTHER_MINOR = hetu(dt.date(2009, 1, 1))


def test_an_adult_signing_for_themself_consents() -> None:
    assert decide_signer(ADULT, ADULT, SIGNED_AT) == SignerDecision(ConsentState.VALID, "self")


def test_an_adult_signed_for_by_someone_else_is_rejected() -> None:
    decision = decide_signer(ADULT, OTHER_ADULT, SIGNED_AT)
    assert decision.state is ConsentState.REJECTED
    assert decision.reason == rules.ADULT_SIGNED_BY_OTHER


def test_a_minor_s_adult_guardian_consents_for_them() -> None:
    assert decide_signer(MINOR, ADULT, SIGNED_AT) == SignerDecision(ConsentState.VALID, "guardian")


def test_a_minor_signing_alone_is_rejected() -> None:
    assert decide_signer(MINOR, MINOR, SIGNED_AT).reason == rules.MINOR_SIGNED_ALONE


def test_a_minor_signed_for_by_another_minor_is_rejected() -> None:
    assert decide_signer(MINOR, OTHER_MINOR, SIGNED_AT).reason == rules.GUARDIAN_IS_MINOR


def test_age_is_reckoned_on_the_finnish_calendar_day_of_signing() -> None:
    turns_18 = hetu(dt.date(2008, 9, 2))
    late_evening_utc = dt.datetime(2026, 9, 1, 22, 30, tzinfo=dt.UTC)  # 2 September in Helsinki
    assert decide_signer(turns_18, turns_18, late_evening_utc).state is ConsentState.VALID
    earlier = dt.datetime(2026, 9, 1, 20, 30, tzinfo=dt.UTC)  # still 1 September in Helsinki
    assert decide_signer(turns_18, turns_18, earlier).reason == rules.MINOR_SIGNED_ALONE


def test_someone_born_after_the_signing_cannot_have_consented() -> None:
    assert (
        decide_signer(hetu(dt.date(2026, 10, 1)), ADULT, SIGNED_AT).reason
        == rules.BORN_AFTER_SIGNING
    )


VALID = SignerDecision(ConsentState.VALID, "self")
REJECTED = SignerDecision(ConsentState.REJECTED, None, "why")
SIGNED, CANCELLED = EventKind.SIGNED, EventKind.CANCELLED


@pytest.mark.parametrize(
    ("current", "event", "decision", "sent", "expected"),
    [
        (None, SIGNED, VALID, False, ConsentState.VALID),
        (None, SIGNED, REJECTED, False, ConsentState.REJECTED),
        (ConsentState.CANCELLED, SIGNED, VALID, False, ConsentState.VALID),
        (ConsentState.REJECTED, SIGNED, VALID, False, ConsentState.VALID),
        (ConsentState.WITHDRAWN, SIGNED, VALID, False, ConsentState.VALID),
        (ConsentState.VALID, SIGNED, VALID, True, ConsentState.VALID),
        (ConsentState.VALID, SIGNED, REJECTED, False, None),
        (ConsentState.REVOKED, SIGNED, VALID, False, None),
        (None, CANCELLED, None, False, ConsentState.CANCELLED),
        (ConsentState.REJECTED, CANCELLED, None, False, ConsentState.CANCELLED),
        (ConsentState.VALID, CANCELLED, None, False, ConsentState.WITHDRAWN),
        (ConsentState.VALID, CANCELLED, None, True, None),
        (ConsentState.CANCELLED, CANCELLED, None, False, None),
        (ConsentState.REVOKED, CANCELLED, None, False, None),
    ],
)
def test_consent_state_moves_as_designed(
    current: ConsentState | None,
    event: EventKind,
    decision: SignerDecision | None,
    sent: bool,
    expected: ConsentState | None,
) -> None:
    transition = next_state(current, event, decision, sent)
    assert isinstance(transition, Transition)
    assert transition.state is expected
    assert transition.note


def test_a_signed_event_without_a_decision_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="decision"):
        next_state(None, SIGNED, None, False)


def _oid_person(born: dt.date) -> OidPerson:
    return OidPerson(Oppijanumero.parse(make_oid()), born, "Aino", "Esimerkki")


def test_an_adult_without_a_hetu_signing_for_themself_consents_by_their_birth_date() -> None:
    person = _oid_person(dt.date(1990, 5, 5))
    assert decide_signer(person, person, SIGNED_AT) == SignerDecision(ConsentState.VALID, "self")


def test_a_minor_without_a_hetu_needs_a_guardian_and_gets_one_by_hetu() -> None:
    person = _oid_person(dt.date(2010, 1, 1))
    alone = decide_signer(person, person, SIGNED_AT)
    assert alone.reason == rules.MINOR_SIGNED_ALONE
    assert decide_signer(person, ADULT, SIGNED_AT) == SignerDecision(ConsentState.VALID, "guardian")
    assert decide_signer(person, OTHER_MINOR, SIGNED_AT).reason == rules.GUARDIAN_IS_MINOR


def test_a_guardian_known_by_name_only_signs_for_a_minor_but_never_for_an_adult() -> None:
    assert decide_signer(MINOR, None, SIGNED_AT).relation == "guardian"
    assert decide_signer(ADULT, None, SIGNED_AT).reason == rules.ADULT_SIGNED_BY_OTHER
