"""The exports as tables of labelled cells, in the staff pages' words: what the pages, the
API and ``vst-consent export`` write as CSV or XLSX (:mod:`consent.adapters.spreadsheets`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final

from consent.adapters.spreadsheets import Cell, csv_lines, xlsx_bytes
from consent.export_views import CourseExport, ExportRow, YearSummary
from consent.model import Binding
from consent.views import NO_RESULT, PENDING_BINDING
from web.staff_pages.texts import FI, current_language, text

FORMATS: Final = ("csv", "xlsx")
COURSE_COLUMNS: Final = (
    "hetu",
    "name",
    "consent",
    "signer",
    "signed_at",
    "grade",
    "status",
    "graded_on",
    "ended_on",
    "binding",
    "binding_words",
    "koski_state",
    "oid",
    "versionumero",
    "sent_at",
    "error_keys",
    "error_words",
)
SUMMARY_COLUMNS: Final = ("opintokokonaisuus", "sent", "interrupted", "invalidated")


def course_header(language: str | None = None) -> list[str]:
    """The course export's column names."""
    return [text(f"export.col.{name}", language) for name in COURSE_COLUMNS]


def course_cells(row: ExportRow, language: str | None = None) -> list[Cell]:
    """One participant's row, each cell in the order of :data:`COURSE_COLUMNS`."""
    return [
        row.participant.hetu,
        row.participant.name,
        _consent(row, language),
        text(f"signer.{row.signer_relation}", language) if row.signer_relation else None,
        row.signed_at,
        row.grade,
        text(f"result.{row.result_status.value}" if row.result_status else "result.none", language),
        row.graded_on,
        row.ended_on,
        row.binding,
        binding_words(row.binding, language),
        text(f"state.{row.koski_state.value}", language) if row.koski_state else None,
        row.oid,
        row.versionumero,
        row.sent_at,
        ", ".join(row.error_keys) or None,
        _error_words(row, language),
    ]


def _consent(row: ExportRow, language: str | None) -> str:
    """The consent in the course page's words."""
    if row.consent_state is None:
        return text("consent.none", language)
    if row.consent_state.value == "valid":
        return text(f"consent.valid.{row.signer_relation or 'self'}", language)
    return text(f"consent.{row.consent_state.value}", language)


def binding_words(binding: str, language: str | None = None) -> str:
    """What binding decided, in words: to be sent, waiting, or why it is not sent."""
    if binding == Binding.ELIGIBLE.value:
        return text("export.eligible", language)
    if binding == PENDING_BINDING:
        return text("binding.pending", language)
    return text(f"why.{NO_RESULT if binding == NO_RESULT else binding}", language)


def _error_words(row: ExportRow, language: str | None) -> str | None:
    """KOSKI's error keys in words where the pages know them, else KOSKI's own message."""
    known = [
        text(f"koski_key.{key}", language) for key in row.error_keys if f"koski_key.{key}" in FI
    ]
    if known:
        return "; ".join(known)
    return row.error_message if row.error_keys else None


def course_rows(export: CourseExport, language: str | None = None) -> Iterator[list[Cell]]:
    """Every participant's row of the export."""
    return (course_cells(row, language) for row in export.rows)


def summary_header(language: str | None = None) -> list[str]:
    """The yearly summary's column names."""
    return [text(f"export.sum.{name}", language) for name in SUMMARY_COLUMNS]


def summary_rows(summary: YearSummary) -> list[Sequence[Cell]]:
    """Per opintokokonaisuus, its counts."""
    return [[c.opintokokonaisuus, c.sent, c.interrupted, c.invalidated] for c in summary.counts]


def course_file(export: CourseExport, kind: str) -> Iterator[bytes]:
    """The course export as ``kind`` (``csv``, streamed; or ``xlsx``), in the language of
    the page or command that asks (fixed now: a streamed line is written after the view)."""
    language = current_language()
    header, rows = course_header(language), course_rows(export, language)
    if kind == "csv":
        return csv_lines(header, rows)
    return iter([xlsx_bytes(export.code, header, rows)])


def summary_file(summary: YearSummary, kind: str) -> Iterator[bytes]:
    """The yearly summary as ``kind`` (``csv`` or ``xlsx``)."""
    language = current_language()
    header, rows = summary_header(language), summary_rows(summary)
    if kind == "csv":
        return csv_lines(header, rows)
    title = f"{text('export.summary_sheet', language)} {summary.year}"
    return iter([xlsx_bytes(title, header, rows)])


def course_filename(export: CourseExport, kind: str) -> str:
    """A file name that holds no personal data: the course code (a checked code) only."""
    full = "-hetut" if export.full_hetu else ""
    return f"{export.code}{full}.{kind}"


def summary_filename(summary: YearSummary, kind: str) -> str:
    """The summary's file name: the year only."""
    return f"yhteenveto-{summary.year}.{kind}"
