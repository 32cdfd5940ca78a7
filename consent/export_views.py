"""What staff take away from the service as a spreadsheet: a course's participants row by
row, and a year's records counted per opintokokonaisuus.

Read models (cosmicpython's ``views.py``): an adapter fills them from a fixed set of
queries, whatever the course's size; the pages, the API and the CLI write them as CSV or
XLSX. A course export is masked as the course page is (the hetu's last characters and
initials) unless a ``staff`` member asked for full hetus, and then it carries full names too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final

from consent.model import ConsentState, SubmissionState
from consent.results import ResultStatus
from consent.views import ShownParticipant

# Records KOSKI holds now (an oid, and not stopped): the yearly summary's "sent".
LIVE: Final = frozenset({SubmissionState.SENT, SubmissionState.ATTENTION})


@dataclass(frozen=True)
class ExportRow:
    """One participant of a course as the export shows them: consent, result, binding and
    the record's KOSKI state, with the dates staff report on."""

    participant: ShownParticipant
    consent_state: ConsentState | None
    signer_relation: str | None  # self, or guardian for a minor
    signed_at: dt.datetime | None
    grade: str | None
    result_status: ResultStatus | None  # None: a consent whose participant is not assessed
    graded_on: dt.date | None
    ended_on: dt.date | None  # the participant's end date: their own, else the course's
    binding: str
    koski_state: SubmissionState | None
    oid: str | None
    versionumero: int | None
    sent_at: dt.datetime | None
    error_keys: tuple[str, ...] = ()
    error_message: str | None = field(default=None, repr=False)  # KOSKI's words, if any


@dataclass(frozen=True)
class CourseExport:
    """A course's export: its code and name, whether hetus are in full, and its rows."""

    code: str
    name: str
    full_hetu: bool
    rows: list[ExportRow]

    def counts(self) -> dict[str, int]:
        """How many rows, consents and records sent: what the audit trail keeps of it."""
        return {
            "rows": len(self.rows),
            "consents": sum(row.consent_state is not None for row in self.rows),
            "sent": sum(row.koski_state in LIVE for row in self.rows),
        }


@dataclass(frozen=True)
class YearCount:
    """One opintokokonaisuus's records of a year, counted: no person is in it."""

    opintokokonaisuus: str
    sent: int  # records of the year KOSKI holds now
    interrupted: int  # of those, keskeytynyt
    invalidated: int  # records invalidated (mitätöity) during the year


@dataclass(frozen=True)
class YearSummary:
    """A calendar year's records per opintokokonaisuus, by code."""

    year: int
    counts: list[YearCount]


FIRST_YEAR: Final = 2000  # a course may not end before 2000 (the course schema)
LAST_YEAR: Final = 2099


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """The first day of ``year`` and of the next: a record is of the year its participant's
    end date falls in (the date its KOSKI tila is dated on)."""
    return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)


@dataclass(frozen=True)
class SignedForm:
    """A consent's signed form as kept (a PDF), and where it was kept (its enrolment)."""

    consent_id: int
    enrolment_id: int | None
    pdf: bytes = field(repr=False)
