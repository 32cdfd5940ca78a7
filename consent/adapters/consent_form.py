"""The consent form as a PDF (fpdf2): the organiser's text template with the course and the
participant filled in. The signing service writes the signatures into this file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from consent.enrolments import Enrolment

if TYPE_CHECKING:
    from fpdf import FPDF


class ConsentForm:
    """Renders one enrolment's form from a text template with ``{placeholders}``."""

    def __init__(self, organiser: str, template: Path | None) -> None:
        self._organiser = organiser
        if template is None:
            files = resources.files("consent.adapters.forms")
            self._template = files.joinpath("consent_fi.txt").read_text(encoding="utf-8")
        else:
            self._template = template.read_text(encoding="utf-8")

    def __call__(self, enrolment: Enrolment, course_name: str) -> bytes:
        """The PDF for ``enrolment``."""
        text = self.text(enrolment, course_name)
        pdf = _fpdf()
        pdf.set_title("Suostumus KOSKI-tallennukseen")
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        for line in text.splitlines():
            # The core fonts are Latin-1 (Finnish and Swedish letters included).
            text_line = line.encode("latin-1", "replace").decode("latin-1") or " "
            pdf.multi_cell(0, 6, text_line, new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())

    def text(self, enrolment: Enrolment, course_name: str) -> str:
        """The form's words for ``enrolment``: the template with the course and people filled in."""
        participant = f"{enrolment.participant.first_names} {enrolment.participant.last_name}"
        if enrolment.signer.hetu == enrolment.participant.hetu:
            signer_line = "Allekirjoittaja: osallistuja itse."
        else:
            signer = f"{enrolment.signer.first_names} {enrolment.signer.last_name}"
            signer_line = f"Allekirjoittaja: {signer}, alaikäisen osallistujan huoltaja."
        return self._template.format(
            organiser=self._organiser,
            course_code=enrolment.course_code,
            course_name=course_name,
            participant=participant,
            signer_line=signer_line,
        )


def _fpdf() -> FPDF:
    """A new PDF document. fpdf2 (with Pillow and fontTools) is imported here, on the first
    form rendered, not with this module: it adds ~20 MiB to every process that imports the
    composition root, while only the signing connector's jobs use it. The first of those
    runs in the worker itself, so the work horses forked after it inherit the import."""
    from fpdf import FPDF  # noqa: PLC0415 - deferred on purpose, see above

    return FPDF()
