"""Consent events from the signing service, as typed values.

:func:`read_event` is the one reading of a delivered body, for the intake (which refuses a
bad one) and for binding (which fails its stored delivery): strict JSON, then
``schemas/consent_event``, then what a schema cannot check: that every hetu is a real one as
of today, and that every instant lies within years a consent can be signed in and is not
later than the delivery.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from consent.errors import EventSchemaViolation, InvalidEvent, InvalidHetu
from consent.hetu import Hetu, redact_hetus
from consent.model import Person
from consent.strict_json import StrictJsonError, loads_strict
from schemas import schema_problems

EARLIEST: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST: Final = dt.datetime(3000, 1, 1, tzinfo=dt.UTC)
OUT_OF_RANGE: Final = "is out of range"
IN_THE_FUTURE: Final = "is in the future"
# How far a sender's clock may run ahead of ours: the webhook's own tolerance for its
# signed timestamp (web.intake.signature.TOLERANCE_SECONDS), five minutes.
CLOCK_SKEW: Final = dt.timedelta(minutes=5)
READ_ERRORS: Final = (StrictJsonError, EventSchemaViolation, InvalidEvent)
"""What :func:`read_event` raises: the body is not strict JSON, not a consent event, or names
something that does not exist. None of them quotes the body."""


class EventKind(enum.StrEnum):
    """What the signing service reports."""

    SIGNED = "consent.signed"
    CANCELLED = "consent.cancelled"  # the signer cancelled, or the invitation expired


@dataclass(frozen=True)
class ConsentEvent:
    """A consent event for one participant and one course."""

    kind: EventKind
    occurred_at: dt.datetime
    document_id: str
    course_code: str
    participant: Person
    signer: Person | None
    signed_at: dt.datetime | None


def read_event(body: bytes, *, now: dt.datetime, allow_temporary: bool) -> ConsentEvent:
    """The consent event in ``body`` as delivered at ``now``, or one of :data:`READ_ERRORS`."""
    document = loads_strict(body)
    _check_schema(document)
    return _typed_event(document, now=now, allow_temporary=allow_temporary)


def _check_schema(document: Any) -> None:
    """:class:`EventSchemaViolation` naming each field; nothing shaped like a hetu in it,
    whatever put it there."""
    problems = [
        {key: redact_hetus(text) for key, text in problem.items()}
        for problem in schema_problems("consent_event", document)
    ]
    if problems:
        raise EventSchemaViolation(problems)


def _typed_event(
    doc: Mapping[str, Any], *, now: dt.datetime, allow_temporary: bool
) -> ConsentEvent:
    """Build the typed event from a document that passed the schema, or raise
    :class:`InvalidEvent` naming the field.

    An instant after ``now`` (beyond :data:`CLOCK_SKEW`) is refused: a consent "signed in
    2099" by a minor alone would be judged on a day the minor is an adult.
    """
    data = doc["data"]
    today = now.date()
    signer = data.get("signer")
    signed_at = data.get("signed_at")
    if doc["type"] == EventKind.SIGNED and signer is None:
        raise InvalidEvent("data.signer", "is required")
    if doc["type"] == EventKind.SIGNED and signed_at is None:
        raise InvalidEvent("data.signed_at", "is required")
    participant = _person(data["participant"], "data.participant", today, allow_temporary)
    return ConsentEvent(
        kind=EventKind(doc["type"]),
        occurred_at=_instant(doc["timestamp"], "timestamp", now),
        document_id=data["document_id"],
        course_code=data["course_code"],
        participant=participant,
        signer=None
        if signer is None
        else _person(signer, "data.signer", today, allow_temporary, participant),
        signed_at=None if signed_at is None else _instant(signed_at, "data.signed_at", now),
    )


def _person(
    raw: Mapping[str, str],
    where: str,
    today: dt.date,
    allow_temporary: bool,
    known: Person | None = None,
) -> Person:
    """The person in ``raw``; a hetu spelt exactly as ``known``'s (an adult signing for
    themself) is ``known``'s, already checked, not parsed again."""
    if known is not None and raw["hetu"] == known.hetu.reveal():
        hetu = known.hetu
    else:
        try:
            hetu = Hetu.parse(raw["hetu"], today=today, allow_temporary=allow_temporary)
        except InvalidHetu as error:
            raise InvalidEvent(f"{where}.hetu", error.reason) from None
    return Person(hetu, raw["first_names"], raw["last_name"])


def _instant(text: str, where: str, now: dt.datetime) -> dt.datetime:
    """The instant in UTC, if it lies in :data:`EARLIEST` … :data:`LATEST` and not after
    ``now`` plus :data:`CLOCK_SKEW`.

    Year 1 or 9999 with an offset cannot even be moved to UTC (``OverflowError``), and an
    instant near either end breaks later arithmetic (the Finnish signing day, ordering);
    no consent is signed outside these years.
    """
    try:
        instant = dt.datetime.fromisoformat(text).astimezone(dt.UTC)
    except OverflowError:
        raise InvalidEvent(where, OUT_OF_RANGE) from None
    if not EARLIEST <= instant < LATEST:
        raise InvalidEvent(where, OUT_OF_RANGE)
    if instant > now + CLOCK_SKEW:
        raise InvalidEvent(where, IN_THE_FUTURE)
    return instant
