"""Course results as staff import them (CSV or JSON), checked row by row.

A file is all or nothing: any row error and nothing is stored. Errors name the row, the
field and the reason; they never quote a hetu.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from consent.courses import Course, GradingScale
from consent.errors import InvalidHetu, InvalidOppijanumero
from consent.hetu import Hetu
from consent.import_files import Columns, ImportRejected, RowError, is_plain_text, parse_day
from consent.model import ConsentState, SubmissionState
from consent.oppijanumero import Oppijanumero

# A grading date before this is a typing error (year 1, 0026): no course sent is that old.
EARLIEST_GRADED_ON: Final = dt.date(2000, 1, 1)
FAILED: Final = "Hylätty"
PASSED: Final = "Hyväksytty"
_PASS_FAIL: Final = {
    "hyväksytty": PASSED,
    "hyvaksytty": PASSED,
    "hylätty": FAILED,
    "hylatty": FAILED,
}
# A whole grade, as typed (8), or with decimals of zero as a sheet stores it (8.0, 8,0).
_DIGITS: Final = re.compile(r"([0-9]{1,3})(?:[.,]0{1,3})?")
RESULT_FIELDS: Final = (
    "hetu",
    "grade",
    "graded_on",
    "ended_on",
    "status",
    "first_names",
    "last_name",
)
"""A results file's own columns, in a template's order; ``part:<code>`` columns follow."""
IDENTITY_FIELDS: Final = ("hetu", "oppijanumero")
"""Who a row is for: exactly one of them. ``oppijanumero`` (KOSKI's person oid) is for a
person without a hetu; it is accepted in every file but left out of the template, which
most courses fill in with hetus only."""
PART_PREFIX: Final = "part:"
_FIELDS: Final = {*RESULT_FIELDS, *IDENTITY_FIELDS, "parts"}
ONE_IDENTITY: Final = "give a hetu or an oppijanumero, not both"
DATE_REASON: Final = "must be a date D.M.YYYY or YYYY-MM-DD"


class ResultStatus(enum.StrEnum):
    """Whether the participant finished the course."""

    COMPLETED = "completed"
    INTERRUPTED = "interrupted"  # keskeytynyt


@dataclass(frozen=True)
class ImportedResult:
    """One participant's result, checked."""

    row: int
    hetu: Hetu | None  # None: the person has no hetu, and ``oid`` names them
    first_names: str | None = field(repr=False)
    last_name: str | None = field(repr=False)
    grade: str | None
    graded_on: dt.date
    status: ResultStatus
    part_grades: Mapping[str, str]
    ended_on: dt.date | None = None
    oid: Oppijanumero | None = None

    @property
    def identity(self) -> Hetu | Oppijanumero:
        """Who the row is for: the hetu, or the oppijanumero of a person without one."""
        if self.hetu is not None:
            return self.hetu
        if self.oid is None:
            raise ValueError("a checked result names its person")  # _check_row ensures it
        return self.oid

    @property
    def content_hash(self) -> str:
        """Changes whenever anything that would be sent changes; the import's idempotency key.

        ``ended_on`` counts only when given, so a row that never had one hashes as it did
        before the column existed (a file imported again stays unchanged)."""
        content: list[Any] = [
            self.first_names,
            self.last_name,
            self.grade,
            self.graded_on.isoformat(),
            self.status.value,
            sorted(self.part_grades.items()),
        ]
        if self.ended_on is not None:
            content.append(self.ended_on.isoformat())
        return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class GradedResult:
    """What was graded, as the ledger holds it; ``ended_on`` None is the course's end date."""

    grade: str | None
    graded_on: dt.date
    status: ResultStatus
    part_grades: dict[str, str]
    ended_on: dt.date | None = None
    removed: bool = False  # removed by staff on request: kept only for its KOSKI history


@dataclass(frozen=True)
class ResultForBinding:
    """What binding a result needs to know of it: the result and the course it is for."""

    result_id: int
    participant_id: int
    course: Course
    graded: GradedResult


class ResultSubmission(NamedTuple):
    """A result's submission, as binding the result again sees it."""

    submission_id: int
    state: SubmissionState
    oid: str | None = None  # the live KOSKI record it holds, if any


@dataclass(frozen=True)
class ResultToBind:
    """A stored result as binding reads it: the result, its consent and its submission
    (each None if there is none yet), and the day it was read on."""

    result: ResultForBinding
    consent_id: int | None
    consent_state: ConsentState | None
    submission: ResultSubmission | None
    today: dt.date  # the day it was read on: a result dated after it waits for its day


def result_columns(course: Course) -> Columns:
    """The columns a results CSV for ``course`` must and may have: ``part:<code>`` for each
    of its parts."""
    return Columns(
        required=frozenset({"graded_on"}),
        known=frozenset({*RESULT_FIELDS, *IDENTITY_FIELDS}),
        prefix=PART_PREFIX,
        prefixed=frozenset(p.code for p in course.effective_parts),
        gather="parts",
        one_of=IDENTITY_FIELDS,
    )


def result_template(course: Course) -> list[str]:
    """The header of ``course``'s results template: every column a results file may have,
    with a ``part:<code>`` column for each part the course defines (a course without parts
    is graded by its ``grade`` alone)."""
    return [*RESULT_FIELDS, *(f"{PART_PREFIX}{part.code}" for part in course.parts)]


def check_rows(
    rows: list[dict[str, Any]], course: Course, today: dt.date, allow_temporary: bool = False
) -> list[ImportedResult]:
    """Every row checked against the course; raises :class:`ImportRejected` listing all errors."""
    results, errors = [], []
    seen: dict[Hetu | Oppijanumero, int] = {}
    for number, raw in enumerate(rows, start=1):
        try:
            result = _check_row(number, raw, course, today, allow_temporary)
        except _RowProblem as problem:
            errors.append(RowError(number, problem.field, problem.reason))
            continue
        if result.identity in seen:
            where = "hetu" if result.hetu is not None else "oppijanumero"
            errors.append(RowError(number, where, f"same person as row {seen[result.identity]}"))
            continue
        seen[result.identity] = number
        results.append(result)
    if errors:
        raise ImportRejected(errors)
    return results


class _RowProblem(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


def _check_row(
    number: int, raw: Mapping[str, Any], course: Course, today: dt.date, allow_temporary: bool
) -> ImportedResult:
    for position, key in enumerate(raw, start=1):
        if key not in _FIELDS:  # named by position: a file's key may be anything, a hetu too
            raise _RowProblem(f"key {position}", "is not a known field")
    hetu, oid = _identity(raw, today, allow_temporary)
    status = _status(raw)
    grade = _grade(
        _text(raw, "grade", required=status is ResultStatus.COMPLETED),
        course.grading_scale,
        "grade",
    )
    return ImportedResult(
        row=number,
        hetu=hetu,
        first_names=_text(raw, "first_names"),
        last_name=_text(raw, "last_name"),
        grade=grade,
        graded_on=_date(raw, today),
        status=status,
        part_grades=_part_grades(raw.get("parts"), course),
        ended_on=_ended_on(raw, course),
        oid=oid,
    )


def _identity(
    raw: Mapping[str, Any], today: dt.date, allow_temporary: bool
) -> tuple[Hetu | None, Oppijanumero | None]:
    """The row's hetu, or its oppijanumero: exactly one of them."""
    given_hetu, given_oid = _text(raw, "hetu"), _text(raw, "oppijanumero")
    if given_hetu is not None and given_oid is not None:
        raise _RowProblem("oppijanumero", ONE_IDENTITY)
    if given_oid is not None:
        try:
            return None, Oppijanumero.parse(given_oid)
        except InvalidOppijanumero as error:
            raise _RowProblem("oppijanumero", error.reason) from None
    if given_hetu is None:
        raise _RowProblem("hetu", "is required (or an oppijanumero for a person without one)")
    try:
        return Hetu.parse(given_hetu, today=today, allow_temporary=allow_temporary), None
    except InvalidHetu as error:
        raise _RowProblem("hetu", error.reason) from None


def _text(raw: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    value = raw.get(name)
    if value is None or value == "":
        if required:
            raise _RowProblem(name, "is required")
        return None
    if not is_plain_text(value):
        raise _RowProblem(name, "must be text of at most 200 characters")
    return value.strip()


def _status(raw: Mapping[str, Any]) -> ResultStatus:
    value = _text(raw, "status") or ResultStatus.COMPLETED.value
    try:
        return ResultStatus(value.lower())
    except ValueError:
        raise _RowProblem("status", "must be completed or interrupted") from None


def _grade(value: str | None, scale: GradingScale, where: str) -> str | None:
    if value is None:
        return None
    folded = value.strip().lower()
    if folded in _PASS_FAIL and (
        scale is GradingScale.HYVAKSYTTY_HYLATTY or _PASS_FAIL[folded] == FAILED
    ):
        return _PASS_FAIL[folded]
    # ASCII digits only: str.isdigit() also takes "²" (which int() refuses) and "٣" (which
    # int() reads as 3), neither a grade a trainer typed.
    whole = _DIGITS.fullmatch(folded)
    if scale is GradingScale.NUMERIC and whole and 1 <= int(whole.group(1)) <= 10:
        return str(int(whole.group(1)))
    allowed = (
        "hyväksytty or hylätty" if scale is GradingScale.HYVAKSYTTY_HYLATTY else "1-10 or hylätty"
    )
    raise _RowProblem(where, f"must be {allowed}")


def _date(raw: Mapping[str, Any], today: dt.date) -> dt.date:
    value = _text(raw, "graded_on", required=True) or ""
    try:
        graded_on = parse_day(value)
    except ValueError:
        raise _RowProblem("graded_on", DATE_REASON) from None
    if graded_on > today:
        raise _RowProblem("graded_on", "is in the future")
    if graded_on < EARLIEST_GRADED_ON:
        raise _RowProblem("graded_on", "is before 2000")
    return graded_on


def _ended_on(raw: Mapping[str, Any], course: Course) -> dt.date | None:
    """The day the participant ended the course, if the row says: on or before the course's
    end (one who left early ended then), never in 2000 or before; it may be after today, and
    the record then waits for its day."""
    value = _text(raw, "ended_on")
    if value is None:
        return None
    try:
        ended_on = parse_day(value)
    except ValueError:
        raise _RowProblem("ended_on", DATE_REASON) from None
    if ended_on > course.end_date:
        raise _RowProblem("ended_on", "is after the course's end date")
    if ended_on < EARLIEST_GRADED_ON:
        raise _RowProblem("ended_on", "is before 2000")
    return ended_on


def _part_grades(raw: Any, course: Course) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _RowProblem("parts", "must map part codes to grades")
    codes = {p.code for p in course.effective_parts}
    grades = {}
    for position, (code, value) in enumerate(raw.items(), start=1):
        if code not in codes:  # named by position, as an unknown key is
            raise _RowProblem(f"parts key {position}", "is not a part of this course")
        grade = _grade(
            value if isinstance(value, str) else str(value), course.grading_scale, f"parts.{code}"
        )
        if grade is not None:
            grades[code] = grade
    return grades


def is_passed(grade: str | None) -> bool:
    """Every grade but hylätty is a pass (KOSKI counts every 1–10 grade as passed)."""
    return grade is not None and grade != FAILED
