"""The consent form as a PDF (fpdf2): the organiser's text template, or the built-in form in
Finnish or Swedish by the course's language, with the course and the participant filled in.
The signing service writes the signatures into this file."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Final

from consent.courses import Course
from consent.enrolments import Enrolment

if TYPE_CHECKING:
    from fpdf import FPDF


@dataclass(frozen=True)
class _Words:
    """The words of a form the template does not hold: the PDF's title and who signs."""

    title: str
    self_signs: str
    guardian_signs: str  # {signer}: the guardian's name


_WORDS: Final = {
    "fi": _Words(
        "Suostumus KOSKI-tallennukseen",
        "Allekirjoittaja: osallistuja itse.",
        "Allekirjoittaja: {signer}, alaikäisen osallistujan huoltaja.",
    ),
    "sv": _Words(
        "Samtycke till registrering i KOSKI",
        "Undertecknare: deltagaren själv.",
        "Undertecknare: {signer}, vårdnadshavare för den minderåriga deltagaren.",
    ),
}
# A course's language (its suorituskieli) → the built-in form's. An English course gets the
# Finnish form: the organiser's consent is a statement in one of Finland's two official
# languages, and the bank-ID signing service and Oma Opintopolku speak both.
FORM_LANGUAGE: Final = {"FI": "fi", "SV": "sv", "EN": "fi"}


class ConsentForm:
    """Renders one enrolment's form from a text template with ``{placeholders}``: the
    organiser's own (``SIGNING_CONSENT_TEMPLATE``, for every course, in Finnish), else the
    built-in form in the course's language."""

    def __init__(self, organiser: str, template: Path | None) -> None:
        self._organiser = organiser
        files = resources.files("consent.adapters.forms")
        if template is None:
            self._templates = {
                language: files.joinpath(f"consent_{language}.txt").read_text(encoding="utf-8")
                for language in _WORDS
            }
        else:
            self._templates = {"fi": template.read_text(encoding="utf-8")}

    def for_course(self, enrolment: Enrolment, course: Course | None) -> bytes:
        """The PDF for ``enrolment`` on ``course``, in the course's language (:meth:`choose`)."""
        return self(enrolment, *self.choose(enrolment, course))

    def text_for_course(self, enrolment: Enrolment, course: Course | None) -> str:
        """The words of :meth:`for_course`'s PDF."""
        return self.text(enrolment, *self.choose(enrolment, course))

    def choose(self, enrolment: Enrolment, course: Course | None) -> tuple[str, str]:
        """The course's name and the form's language: Swedish for a Swedish course, naming
        the course in Swedish (in Finnish where it has no Swedish name), else Finnish; the
        course's code, in Finnish, for a course not defined (yet); the organiser's own form
        is Finnish, so it names the course in Finnish."""
        if course is None:
            return enrolment.course_code, "fi"
        language = FORM_LANGUAGE.get(course.language, "fi")
        if language not in self._templates:
            language = "fi"
        return course.name.get(language) or course.name["fi"], language

    def __call__(self, enrolment: Enrolment, course_name: str, language: str = "fi") -> bytes:
        """The PDF for ``enrolment``."""
        text = self.text(enrolment, course_name, language)
        pdf = _fpdf()
        pdf.set_title(self._words(language).title)
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        for line in text.splitlines():
            # The core fonts are Latin-1 (Finnish and Swedish letters included).
            text_line = line.encode("latin-1", "replace").decode("latin-1") or " "
            pdf.multi_cell(0, 6, text_line, new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())

    def text(self, enrolment: Enrolment, course_name: str, language: str = "fi") -> str:
        """The form's words for ``enrolment``: the template in ``language`` (Finnish if there
        is none in it) with the course and people filled in."""
        words = self._words(language)
        participant = f"{enrolment.participant.first_names} {enrolment.participant.last_name}"
        if enrolment.signer.hetu == enrolment.participant.hetu:
            signer_line = words.self_signs
        else:
            signer = f"{enrolment.signer.first_names} {enrolment.signer.last_name}"
            signer_line = words.guardian_signs.format(signer=signer)
        return self._template(language).format(
            organiser=self._organiser,
            course_code=enrolment.course_code,
            course_name=course_name,
            participant=participant,
            signer_line=signer_line,
        )

    def _template(self, language: str) -> str:
        return self._templates.get(language) or self._templates["fi"]

    def _words(self, language: str) -> _Words:
        """The words beside the template, in the template's own language."""
        return _WORDS[language] if language in self._templates else _WORDS["fi"]


def _fpdf() -> FPDF:
    """A new PDF document. fpdf2 (with Pillow and fontTools) is imported here, on the first
    form rendered, not with this module: it adds ~20 MiB to every process that imports the
    composition root, while only the signing connector's jobs use it. The first of those
    runs in the worker itself, so the work horses forked after it inherit the import."""
    from fpdf import FPDF  # noqa: PLC0415 - deferred on purpose, see above

    return FPDF()
