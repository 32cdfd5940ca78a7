"""What a KOSKI record carries for a result, by OPH's rules, or why nothing is sent. Pure.

One decision, read by binding (may the result go?) and by the payload (what goes), so the
two can never disagree. Only passed work leaves the ledger: a part graded hylätty is never
sent. *Hyväksytysti suoritettu*, with a vahvistus, only when the whole course is passed: the
course's grade and every part, their extents adding up to the course's. Otherwise
*keskeytynyt*, without a vahvistus, with exactly the passed parts, only for a course of two
or more parts. Both are dated on the day the participant ended the course (the course's end
date unless the result says otherwise), and nothing dated after today is sent.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from consent.courses import Course, CoursePart
from consent.model import Binding
from consent.results import GradedResult, ResultStatus, is_passed

# Why nothing is sent, as the result's binding says it (staff read it in their own words).
NOT_PASSED: Final = Binding.NOT_PASSED
NO_ASSESSED_PART: Final = Binding.NO_ASSESSED_PART
SINGLE_PART_INTERRUPTED: Final = Binding.SINGLE_PART_INTERRUPTED
WAITING_FOR_END: Final = Binding.WAITING_FOR_END
REMOVED: Final = Binding.REMOVED


class RecordState(enum.StrEnum):
    """The record's one jakso, as KOSKI's koodisto names it."""

    COMPLETED = "hyvaksytystisuoritettu"  # with a vahvistus
    INTERRUPTED = "keskeytynyt"  # without one


@dataclass(frozen=True)
class AssessedPart:
    """A part the record carries, and its passing grade."""

    part: CoursePart
    grade: str


@dataclass(frozen=True)
class Record:
    """What a record carries: its state, the passed parts, the day the participant ended
    (the jakso's date) and, for a completed one, the vahvistus date (never after it)."""

    state: RecordState
    parts: tuple[AssessedPart, ...]
    ended_on: dt.date
    confirmed_on: dt.date | None


@dataclass(frozen=True)
class NotSent:
    """Why a result's record is not sent: a binding code (:data:`NOT_PASSED` …)."""

    reason: str


def carried(course: Course, result: GradedResult) -> Record | NotSent:
    """The record ``result`` makes for ``course``, or why it makes none."""
    grades = _grades(course, result)
    passed = tuple(
        AssessedPart(part, grade)
        for part, grade in grades
        if grade is not None and is_passed(grade)
    )
    ended_on = ended_on_of(course, result)
    if _completed(course, result, grades):
        return Record(RecordState.COMPLETED, passed, ended_on, min(result.graded_on, ended_on))
    if not passed:
        completed = result.status is ResultStatus.COMPLETED
        return NotSent(NOT_PASSED if completed else NO_ASSESSED_PART)
    if len(course.effective_parts) < 2:  # OPH: keskeytynyt needs two parts or more
        return NotSent(SINGLE_PART_INTERRUPTED)
    return Record(RecordState.INTERRUPTED, passed, ended_on, None)


def sendable(course: Course, result: GradedResult, today: dt.date) -> Record | NotSent:
    """:func:`carried`, but a record dated after ``today`` is not sent yet: it waits; and
    nothing of a result staff removed on request is ever sent."""
    if result.removed:
        return NotSent(REMOVED)
    record = carried(course, result)
    if isinstance(record, Record) and record.ended_on > today:
        return NotSent(WAITING_FOR_END)
    return record


def ended_on_of(course: Course, result: GradedResult) -> dt.date:
    """The day the participant ended: the result's own, else the course's end date; never
    after the course's end (a course edited to end sooner ends its participants then)."""
    return participant_end(course.end_date, result.ended_on)


def participant_end(end_date: dt.date, ended_on: dt.date | None) -> dt.date:
    """:func:`ended_on_of` from the two dates alone: the course's ``end_date`` and the
    result's own ``ended_on`` (None: the course's), for those who hold only the dates."""
    return end_date if ended_on is None else min(ended_on, end_date)


def _grades(course: Course, result: GradedResult) -> list[tuple[CoursePart, str | None]]:
    """Each part with its grade: its own, else the course's grade for a completed result."""
    fallback = result.grade if result.status is ResultStatus.COMPLETED else None
    return [(p, result.part_grades.get(p.code, fallback)) for p in course.effective_parts]


def _completed(
    course: Course, result: GradedResult, grades: list[tuple[CoursePart, str | None]]
) -> bool:
    """Whether the whole course was passed: completed, its grade and every part passed,
    the parts' extents adding up to the course's (KOSKI sums a confirmed record's parts)."""
    extents = sum((part.laajuus_op for part, _ in grades), Decimal(0))
    return (
        result.status is ResultStatus.COMPLETED
        and is_passed(result.grade)
        and all(is_passed(grade) for _, grade in grades)
        and extents == course.laajuus_op
    )
