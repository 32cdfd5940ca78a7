"""Files the API and the staff pages hand out (spreadsheets, signed forms): their media
types, names without personal data, and the year a summary is asked for."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from flask import Response

from consent.adapters.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from consent.export_views import FIRST_YEAR, LAST_YEAR, SignedForm

MEDIA_TYPES: Final = {"csv": CSV_MEDIA_TYPE, "xlsx": XLSX_MEDIA_TYPE}
FULL: Final = "full"  # ?hetu=full: full hetus and names, for the staff role only


def download(body: Iterator[bytes], kind: str, filename: str) -> Response:
    """A spreadsheet to save (a CSV streamed line by line), named ``filename`` (never a
    person's data)."""
    response = Response(body, content_type=MEDIA_TYPES[kind])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def form_response(form: SignedForm, *, download: bool) -> Response:
    """A signed consent form: shown in the browser (inline) or saved (attachment), named by
    the consent's id only, never cached."""
    response = Response(form.pdf, content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    name = f"suostumus-{form.consent_id}.pdf"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def parse_year(given: str) -> int | None:
    """A year of four digits (ASCII, nothing around them) between 2000 and 2099, else None."""
    if len(given) != 4 or not given.isascii() or not given.isdigit():
        return None
    year = int(given)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None
