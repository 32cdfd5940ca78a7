"""Courses as staff define them, and the checks a schema cannot make."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from consent.errors import InvalidCourse
from consent.hetu import HETU_SHAPE

# Why a code shaped like a hetu is refused: codes are shown on pages, quoted in addresses
# and logs, and sent to KOSKI, none of which may carry a personal identity code.
LOOKS_LIKE_A_HETU = "must not look like a henkilötunnus"
# Why free text (a name, the confirmer, a part's description) holding a hetu is refused: a
# course is shown to every staff member and sent to KOSKI; a participant's number has no
# place in it.
HOLDS_A_HETU = "must not hold a henkilötunnus"


class GradingScale(enum.StrEnum):
    """How a course is graded."""

    HYVAKSYTTY_HYLATTY = "hyvaksytty-hylatty"
    NUMERIC = "1-10"


@dataclass(frozen=True)
class CoursePart:
    """A part (osasuoritus) of a course."""

    code: str
    name: str
    description: str | None
    laajuus_op: Decimal


@dataclass(frozen=True)
class Course:
    """One implementation of a training, as staff define it before its results are sent."""

    code: str
    name: Mapping[str, str]  # language code → name; "fi" always present
    opintokokonaisuus: str
    laajuus_op: Decimal
    end_date: dt.date
    oppilaitos_oid: str
    toimipiste_oid: str | None
    language: str
    grading_scale: GradingScale
    confirmer_name: str
    confirmer_title: str
    parts: tuple[CoursePart, ...]

    @property
    def effective_parts(self) -> tuple[CoursePart, ...]:
        """The parts sent to KOSKI: the course itself is its one part when none are defined."""
        if self.parts:
            return self.parts
        return (CoursePart(self.code, self.name["fi"], None, self.laajuus_op),)


def parse_course(doc: Mapping[str, Any]) -> Course:
    """Build a course from a schema-valid document, or raise :class:`InvalidCourse`."""
    parts = tuple(
        CoursePart(
            _code(p["code"], f"parts.{i}.code"),
            _text(p["name"], f"parts.{i}.name"),
            _optional_text(p.get("description"), f"parts.{i}.description"),
            _extent(p["laajuus_op"], f"parts.{i}.laajuus_op"),
        )
        for i, p in enumerate(doc.get("parts", []))
    )
    course = Course(
        code=_code(doc["code"], "code"),
        name={lang: _text(name, f"name.{lang}") for lang, name in doc["name"].items()},
        opintokokonaisuus=doc["opintokokonaisuus"],
        laajuus_op=_extent(doc["laajuus_op"], "laajuus_op"),
        end_date=dt.date.fromisoformat(doc["end_date"]),
        oppilaitos_oid=doc["oppilaitos_oid"],
        toimipiste_oid=doc.get("toimipiste_oid"),
        language=doc["language"],
        grading_scale=GradingScale(doc["grading_scale"]),
        confirmer_name=_text(doc["confirmer"]["name"], "confirmer.name"),
        confirmer_title=_text(doc["confirmer"]["title"], "confirmer.title"),
        parts=parts,
    )
    _check_parts(course)
    return course


def _code(code: str, field: str) -> str:
    """A course or part code, refused (never quoted) if it holds a hetu's shape."""
    return _no_hetu(code, field, LOOKS_LIKE_A_HETU)


def _text(text: str, field: str) -> str:
    """A free-text value, refused (never quoted) if it holds a hetu's shape anywhere."""
    return _no_hetu(text, field, HOLDS_A_HETU)


def _no_hetu(value: str, field: str, reason: str) -> str:
    """``value`` unless it holds a hetu's shape anywhere, in any case (``k-010190-521f``)."""
    if HETU_SHAPE.search(value) is not None:
        raise InvalidCourse(field, reason)
    return value


def _optional_text(text: str | None, field: str) -> str | None:
    """An optional free-text value (a part's description): None stays None."""
    return None if text is None else _text(text, field)


def _extent(value: float, field: str) -> Decimal:
    extent = Decimal(str(value))
    if not extent.is_finite():  # NaN or Infinity, which Python's json module lets through
        raise InvalidCourse(field, "is not a number")
    if extent.as_tuple().exponent < -2:  # type: ignore[operator]  # finite, so an int
        raise InvalidCourse(field, "has more than two decimals")
    return extent


def _check_parts(course: Course) -> None:
    codes = [p.code for p in course.parts]
    duplicate = next((c for c in codes if codes.count(c) > 1), None)
    if duplicate is not None:
        raise InvalidCourse("parts", f"part code {duplicate} appears twice")
    total = sum((p.laajuus_op for p in course.parts), Decimal(0))
    if course.parts and total != course.laajuus_op:
        raise InvalidCourse(
            "parts", f"part extents add up to {total} op, not the course's {course.laajuus_op} op"
        )
