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
from dataclasses import dataclass, field
from typing import Final

from consent.errors import ConsentNotRecorded
from consent.hetu import Hetu
from consent.model import Participant
from consent.rules import FINLAND, Aged, identity

PDF_MAGIC: Final = b"%PDF-"
PDF_END: Final = b"%%EOF"
MAX_PDF_BYTES: Final = 10 * 1024 * 1024  # a scanned page or two; a phone's photo PDF too
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
class ConsentForm:
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


def signer_of(form: ConsentForm) -> Aged | None:
    """Who signed, as the signing rule judges them: the participant themself, the guardian's
    hetu, or None for a guardian staff know by name only (another adult, on their word)."""
    if form.signed_by is SignedBy.PARTICIPANT:
        return identity(form.participant)
    if form.guardian is None:
        raise ConsentNotRecorded("guardian", GUARDIAN_MISSING)
    return form.guardian.hetu
