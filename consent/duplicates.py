"""KOSKI's duplicate rule for vapaatavoitteinen records (409 ``conflict.exists``): one person
may not hold two records of the same oppilaitos and opintokokonaisuus whose dates overlap, and
since each record is one day long, that means the same day. Pure.

Staff see which of the person's records a refused one collides with, and an import warns of
a row that would collide, before anything is sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from consent.courses import Course
from consent.hetu import Hetu
from consent.record_rules import Record, carried
from consent.results import GradedResult, ImportedResult


@dataclass(frozen=True)
class RecordKey:
    """What KOSKI's duplicate rule compares: the oppilaitos, the opintokokonaisuus and the
    day the record carries (its one jakso's date)."""

    oppilaitos_oid: str
    opintokokonaisuus: str
    day: dt.date


@dataclass(frozen=True)
class LiveRecord:
    """A record of the person that KOSKI holds: the course it is for, and its key."""

    course_code: str
    key: RecordKey


@dataclass(frozen=True)
class DuplicateWarning:
    """An imported row whose record would collide with the person's record of another course
    (KOSKI would refuse it with ``conflict.exists``): a warning, the import goes ahead."""

    row: int
    course_code: str  # the other course, whose record KOSKI holds

    @property
    def reason(self) -> str:
        """What is wrong, as the API and the CLI say it (the pages say it in Finnish)."""
        return (
            f"the person's record of course {self.course_code} in KOSKI has the same oppilaitos,"
            " opintokokonaisuus and day: KOSKI refuses a second one (conflict.exists) until"
            " one of them changes"
        )


def key_of(course: Course, day: dt.date) -> RecordKey:
    """The key of ``course``'s record dated ``day`` (the date the record carries)."""
    return RecordKey(course.oppilaitos_oid, course.opintokokonaisuus, day)


def colliding(key: RecordKey, others: Iterable[LiveRecord], course_code: str) -> str | None:
    """The code of the first other course whose live record has ``key`` (a record of
    ``course_code`` itself is its own, an update, never a duplicate), or None."""
    return next(
        (o.course_code for o in others if o.key == key and o.course_code != course_code), None
    )


def import_warnings(
    course: Course,
    checked: Sequence[ImportedResult],
    others: Mapping[Hetu, Sequence[LiveRecord]],
) -> list[DuplicateWarning]:
    """Each checked row whose record (if it would carry one: a failed result sends none)
    would collide with a live record of the same person (``others``, by person), in row
    order; the record's day is the one :func:`consent.record_rules.carried` dates it on."""
    warnings = []
    for result in checked:
        record = carried(course, _graded(result))
        if not isinstance(record, Record):
            continue
        held = () if result.hetu is None else others.get(result.hetu, ())  # by hetu only
        other = colliding(key_of(course, record.ended_on), held, course.code)
        if other is not None:
            warnings.append(DuplicateWarning(result.row, other))
    return warnings


def _graded(result: ImportedResult) -> GradedResult:
    """What an imported row says was graded, as the record rules read it."""
    return GradedResult(
        result.grade, result.graded_on, result.status, dict(result.part_grades), result.ended_on
    )
