"""A consent staff record by hand: a paper form signed in front of them, or a person whose
identity they checked in person (DESIGN §3.6 "Identity": someone with no hetu or bank ID).

What staff enter is checked here, purely: the scanned form must be a real PDF of bounded
size, the signing day a real past day. Who may sign for whom is the signed consent's own
rule (:func:`consent.rules.decide_signer`), judged on the signing day from the hetu or the
birth date staff recorded.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from consent.errors import ConsentNotRecorded, InvalidHetu, InvalidOppijanumero
from consent.hetu import Hetu
from consent.import_files import is_plain_text, parse_day
from consent.model import OidPerson, Participant, Person
from consent.oppijanumero import Oppijanumero
from consent.rules import FINLAND, Aged, identity

PDF_MAGIC: Final = b"%PDF-"
PDF_END: Final = b"%%EOF"
MAX_PDF_BYTES: Final = 5 * 1024 * 1024  # a scanned page or two, even as a phone's photo
EARLIEST_SIGNING: Final = dt.date(2000, 1, 1)
SIGNING_HOUR: Final = dt.time(12)  # a paper form carries a day: noon in Finland stands for it
NOT_A_PDF: Final = "must be a PDF file (the scanned, signed form)"
PDF_TOO_LARGE: Final = f"must be at most {MAX_PDF_BYTES // (1024 * 1024)} MiB"
PDF_MISSING: Final = "is required: the scanned, signed form"
DAY_IN_FUTURE: Final = "is in the future"
DAY_TOO_EARLY: Final = "is before 2000"
GUARDIAN_MISSING: Final = "is required when a guardian signed: their hetu or their name"


class SignedBy(enum.StrEnum):
    """Who signed the paper form."""

    PARTICIPANT = "participant"
    GUARDIAN = "guardian"


@dataclass(frozen=True)
class Guardian:
    """The guardian who signed: by hetu (with names), or known by name alone."""

    hetu: Hetu | None
    first_names: str = field(repr=False)
    last_name: str = field(repr=False)


@dataclass(frozen=True)
class PaperConsent:
    """A consent as staff record it from a signed form."""

    course_code: str
    participant: Participant
    signed_by: SignedBy
    guardian: Guardian | None
    signed_on: dt.date
    pdf: bytes = field(repr=False)


def check_pdf(pdf: bytes | None) -> bytes:
    """The form itself, if it is a PDF (its first bytes say so, and it ends as one) of at
    most :data:`MAX_PDF_BYTES`; else :class:`ConsentNotRecorded`."""
    if not pdf:
        raise ConsentNotRecorded("pdf", PDF_MISSING)
    if len(pdf) > MAX_PDF_BYTES:
        raise ConsentNotRecorded("pdf", PDF_TOO_LARGE)
    if not pdf.startswith(PDF_MAGIC) or PDF_END not in pdf[-1024:]:
        raise ConsentNotRecorded("pdf", NOT_A_PDF)
    return pdf


def signing_instant(signed_on: dt.date, today: dt.date) -> dt.datetime:
    """The instant that stands for a form signed on ``signed_on`` (noon in Finland, so its
    Finnish day is that day), if the day is no later than ``today`` and not before 2000."""
    if signed_on > today:
        raise ConsentNotRecorded("signed_on", DAY_IN_FUTURE)
    if signed_on < EARLIEST_SIGNING:
        raise ConsentNotRecorded("signed_on", DAY_TOO_EARLY)
    return dt.datetime.combine(signed_on, SIGNING_HOUR, tzinfo=FINLAND).astimezone(dt.UTC)


def signer_of(form: PaperConsent) -> Aged | None:
    """Who signed, as the signing rule judges them: the participant themself, the guardian's
    hetu, or None for a guardian staff know by name only (another adult, on their word)."""
    if form.signed_by is SignedBy.PARTICIPANT:
        return identity(form.participant)
    if form.guardian is None:
        raise ConsentNotRecorded("guardian", GUARDIAN_MISSING)
    return form.guardian.hetu


FIELDS: Final = (
    "hetu",
    "oppijanumero",
    "birth_date",
    "first_names",
    "last_name",
    "signed_by",
    "guardian_hetu",
    "guardian_first_names",
    "guardian_last_name",
    "signed_on",
)
"""What a recorded consent's form (the page's, the API's JSON, the command's options) names."""
REQUIRED: Final = "is required"
NOT_A_DAY: Final = "must be a date D.M.YYYY or YYYY-MM-DD"
SIGNED_BY_VALUES: Final = "must be participant or guardian"
ONE_IDENTITY: Final = "give a hetu or an oppijanumero, not both"


def read_form(
    course_code: str,
    fields: Mapping[str, str],
    pdf: bytes,
    *,
    today: dt.date,
    allow_temporary: bool = False,
) -> PaperConsent:
    """The consent form staff filled in, checked field by field; :class:`ConsentNotRecorded`
    names the first field at fault (its reason quotes no value)."""
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise ConsentNotRecorded("(form)", f"has {len(unknown)} unknown field(s)")
    names = (_required(fields, "first_names"), _required(fields, "last_name"))
    participant = _participant(fields, names, today, allow_temporary)
    try:
        signed_by = SignedBy(_text(fields, "signed_by") or SignedBy.PARTICIPANT.value)
    except ValueError:
        raise ConsentNotRecorded("signed_by", SIGNED_BY_VALUES) from None
    guardian = None
    if signed_by is SignedBy.GUARDIAN:
        given = _text(fields, "guardian_hetu")
        guardian = Guardian(
            None if given is None else _hetu(given, "guardian_hetu", today, allow_temporary),
            _required(fields, "guardian_first_names"),
            _required(fields, "guardian_last_name"),
        )
    signed_on = _day(fields, "signed_on")
    return PaperConsent(course_code, participant, signed_by, guardian, signed_on, pdf)


def _participant(
    fields: Mapping[str, str], names: tuple[str, str], today: dt.date, allow_temporary: bool
) -> Participant:
    hetu, oid = _text(fields, "hetu"), _text(fields, "oppijanumero")
    if hetu is not None and oid is not None:
        raise ConsentNotRecorded("oppijanumero", ONE_IDENTITY)
    if hetu is not None:
        return Person(_hetu(hetu, "hetu", today, allow_temporary), *names)
    if oid is None:
        raise ConsentNotRecorded("hetu", "is required (or an oppijanumero and a birth date)")
    try:
        number = Oppijanumero.parse(oid)
    except InvalidOppijanumero as error:
        raise ConsentNotRecorded("oppijanumero", error.reason) from None
    born = _day(fields, "birth_date")
    if born > today:
        raise ConsentNotRecorded("birth_date", DAY_IN_FUTURE)
    return OidPerson(number, born, *names)


def _hetu(value: str, where: str, today: dt.date, allow_temporary: bool) -> Hetu:
    try:
        return Hetu.parse(value, today=today, allow_temporary=allow_temporary)
    except InvalidHetu as error:
        raise ConsentNotRecorded(where, error.reason) from None


def _day(fields: Mapping[str, str], name: str) -> dt.date:
    try:
        return parse_day(_required(fields, name))
    except ValueError:
        raise ConsentNotRecorded(name, NOT_A_DAY) from None


def _required(fields: Mapping[str, str], name: str) -> str:
    value = _text(fields, name)
    if value is None:
        raise ConsentNotRecorded(name, REQUIRED)
    return value


def _text(fields: Mapping[str, str], name: str) -> str | None:
    value = fields.get(name)
    if value is None or not isinstance(value, str) or not value.strip():
        return None
    if not is_plain_text(value):
        raise ConsentNotRecorded(name, "must be text of at most 200 characters")
    return value.strip()
