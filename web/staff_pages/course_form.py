"""The course form: a course's fields as form values and back, checked by the same rules as
the staff API (the course schema, then :func:`consent.courses.parse_course`).

Form field names are the schema's own paths (``name.fi``, ``parts.0.laajuus_op``), so every
problem the checks name lands next to its field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from consent.courses import Course, parse_course
from consent.errors import InvalidCourse
from consent.hetu import redact_hetus
from schemas import schema_problems
from web.staff_pages.texts import reason

SPARE_PART_ROWS: Final = 3
MAX_PARTS: Final = 100  # the course schema's limit
TEXT_FIELDS: Final = (
    "code",
    "name.fi",
    "name.sv",
    "name.en",
    "opintokokonaisuus",
    "end_date",
    "oppilaitos_oid",
    "toimipiste_oid",
    "language",
    "grading_scale",
    "confirmer.name",
    "confirmer.title",
)
PART_FIELDS: Final = ("code", "name", "description", "laajuus_op")
REQUIRED: Final = (
    "code",
    "name.fi",
    "opintokokonaisuus",
    "laajuus_op",
    "end_date",
    "oppilaitos_oid",
    "language",
    "grading_scale",
    "confirmer.name",
    "confirmer.title",
)
REQUIRED_IN_PART: Final = ("code", "name", "laajuus_op")


def values_of(course: Course) -> dict[str, str]:
    """A stored course as form values."""
    values = {
        "code": course.code,
        "opintokokonaisuus": course.opintokokonaisuus,
        "laajuus_op": finnish_number(course.laajuus_op),
        "end_date": course.end_date.isoformat(),
        "oppilaitos_oid": course.oppilaitos_oid,
        "toimipiste_oid": course.toimipiste_oid or "",
        "language": course.language,
        "grading_scale": course.grading_scale.value,
        "confirmer.name": course.confirmer_name,
        "confirmer.title": course.confirmer_title,
    }
    values |= {f"name.{lang}": name for lang, name in course.name.items()}
    for i, part in enumerate(course.parts):
        values |= {
            f"parts.{i}.code": part.code,
            f"parts.{i}.name": part.name,
            f"parts.{i}.description": part.description or "",
            f"parts.{i}.laajuus_op": finnish_number(part.laajuus_op),
        }
    return values


def part_rows(values: Mapping[str, str]) -> int:
    """How many part rows the form shows: those filled in, and a few spare ones."""
    filled = [_row(k) for k in values if k.startswith("parts.") and values[k]]
    rows = [i for i in filled if i is not None]
    return (max(rows) + 1 if rows else 0) + SPARE_PART_ROWS


def _row(name: str) -> int | None:
    """The part row a field name such as ``parts.3.code`` is in; None for anything else."""
    index = name.split(".")[1]
    if index.isascii() and index.isdigit() and int(index) < MAX_PARTS:
        return int(index)
    return None


def compact(form: Mapping[str, str]) -> dict[str, str]:
    """The form's values with its filled part rows numbered 0, 1, … (empty rows dropped), so
    a problem's path (``parts.1.name``) names the row the page shows."""
    values = {k: v for k, v in form.items() if not k.startswith("parts.")}
    filled = [i for i in range(part_rows(form)) if _part(form, i)]
    for new, old in enumerate(filled):
        values |= {f"parts.{new}.{f}": form.get(f"parts.{old}.{f}", "") for f in PART_FIELDS}
    return values


def masked(texts: Mapping[str, str]) -> dict[str, str]:
    """``texts`` (what a refused form re-fills, or its problems) with anything shaped like a
    hetu, in any case, replaced: a hetu typed into the wrong field, or a part code that is
    one, never comes back on the page."""
    return {redact_hetus(name): redact_hetus(value) for name, value in texts.items()}


def document_from(form: Mapping[str, str]) -> dict[str, Any]:
    """The course document the form describes; empty optional fields are left out."""
    doc: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = form.get(name, "").strip()
        if value:
            head, _, tail = name.partition(".")
            if tail:
                doc.setdefault(head, {})[tail] = value
            else:
                doc[head] = value
    if laajuus := form.get("laajuus_op", "").strip():
        doc["laajuus_op"] = _parse_number(laajuus)
    parts = [p for p in (_part(form, i) for i in range(part_rows(form))) if p]
    if parts:
        doc["parts"] = parts
    return doc


def check(document: dict[str, Any], code: str | None) -> tuple[Course | None, dict[str, str]]:
    """The course, or the problems by field (in Finnish) when it is not valid.

    ``code`` is the course being edited (its code cannot change), None for a new one.
    """
    if code is not None:
        document["code"] = code
    problems = {p["field"]: reason(p["reason"]) for p in schema_problems("course", document, 50)}
    problems |= {name: reason("is required") for name in _missing(document)}
    if problems:
        return None, problems
    try:
        return parse_course(document), {}
    except InvalidCourse as error:
        return None, {error.field: reason(error.reason)}


def _missing(document: dict[str, Any]) -> list[str]:
    """Every required field left empty (the schema names only the first of each object)."""
    missing = [name for name in REQUIRED if _get(document, name) is None]
    for i, part in enumerate(document.get("parts", [])):
        missing += [f"parts.{i}.{name}" for name in REQUIRED_IN_PART if name not in part]
    return missing


def _get(document: dict[str, Any], name: str) -> object:
    head, _, tail = name.partition(".")
    value = document.get(head)
    return value.get(tail) if tail and isinstance(value, dict) else value


def _part(form: Mapping[str, str], index: int) -> dict[str, Any] | None:
    values = {f: form.get(f"parts.{index}.{f}", "").strip() for f in PART_FIELDS}
    if not any(values.values()):
        return None
    part: dict[str, Any] = {k: v for k, v in values.items() if v and k != "laajuus_op"}
    if values["laajuus_op"]:
        part["laajuus_op"] = _parse_number(values["laajuus_op"])
    return part


def _parse_number(text: str) -> float | str:
    """A number as staff type it (``1,5`` or ``1.5``); kept as text when it is none, so the
    schema names the field."""
    try:
        number = float(text.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        return text
    return number if math.isfinite(number) else text  # "nan", "inf": not an extent


def finnish_number(value: Decimal) -> str:
    """An extent as Finns write it."""
    return format(value.normalize(), "f").replace(".", ",")  # 1.50 → "1,5", 10 → "10"
