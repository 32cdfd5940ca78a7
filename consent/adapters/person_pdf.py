"""The person export as a readable PDF (fpdf2): the same content as the JSON document, in
Finnish with English beside it, the signed consent forms attached as embedded files.

Dated on the export's time (no clock of its own), so the same ledger gives the same pages
apart from that time.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from consent.person_views import PersonExport, export_json, signed_pdf_name

TITLE = "Tiedot henkilöstä / Personal data held"
_SECTIONS = (
    ("consents", "Suostumukset / Consents"),
    ("signed_for_others", "Huoltajana allekirjoitetut / Signed as a guardian"),
    ("results", "Suoritukset / Results"),
    ("koski_submissions", "KOSKI-siirrot / Sent to KOSKI"),
    ("revocations", "Peruutukset / Revocations"),
    ("enrolments", "Allekirjoituspyynnöt / Signing invitations"),
    ("audit_events", "Lokitapahtumat / Audit events"),
)

if TYPE_CHECKING:
    from fpdf import FPDF


def person_pdf(export: PersonExport, exported_at: dt.datetime) -> bytes:
    """The export's PDF: one section per kind of data, each entry its fields line by line;
    every signed consent form kept is attached under the name the JSON gives it."""
    document = export_json(export, exported_at)
    # fpdf2 (with Pillow and fontTools, ~20 MiB) is imported on the first export, not with
    # the web app: every web process would carry it for a page staff rarely ask for.
    from fpdf import FPDF  # noqa: PLC0415 - deferred on purpose, see above

    pdf = FPDF()
    pdf.set_title(TITLE)
    pdf.set_creation_date(exported_at)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    _line(pdf, TITLE, 8)
    pdf.set_font("Helvetica", size=10)
    _line(pdf, f"Tulostettu / Exported: {document['exported_at']}")
    if not export.found:
        _line(pdf, "Rekisterissä ei ole tietoja tästä henkilöstä. / The ledger holds nothing.")
    else:
        _fields(pdf, document["person"])
    for key, heading in _SECTIONS:
        _section(pdf, heading, document[key])
    for enrolment in export.enrolments:
        if enrolment.signed_pdf is not None:
            pdf.embed_file(
                bytes=enrolment.signed_pdf,
                basename=signed_pdf_name(enrolment),
                modification_date=exported_at,
                mime_type="application/pdf",
            )
    return bytes(pdf.output())


def _section(pdf: FPDF, heading: str, entries: list[dict[str, object]]) -> None:
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    _line(pdf, f"{heading} ({len(entries)})", 7)
    pdf.set_font("Helvetica", size=10)
    for entry in entries:
        pdf.ln(1)
        _fields(pdf, entry)


def _fields(pdf: FPDF, entry: dict[str, object]) -> None:
    """An entry's fields, one a line; a signed form is named (it is attached), not dumped."""
    for name, value in entry.items():
        if name == "signed_pdf" and isinstance(value, dict):
            _line(pdf, f"{name}: {value['file_name']} (liitteenä / attached)")
        else:
            _line(pdf, f"{name}: {_shown(value)}")


def _shown(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _line(pdf: FPDF, text: str, height: float = 5) -> None:
    # The core fonts are Latin-1 (Finnish and Swedish letters included); others become "?".
    shown = text.encode("latin-1", "replace").decode("latin-1") or " "
    pdf.multi_cell(0, height, shown, new_x="LMARGIN", new_y="NEXT")
