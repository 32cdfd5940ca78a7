"""What a KOSKI record carries by OPH's rules: only passed work, completed only when all of
it is passed, keskeytynyt only for a course of two parts or more, dated on the participant's
own end date, and nothing dated after today."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from consent.courses import Course
from consent.record_rules import NotSent, Record, RecordState, carried, sendable
from consent.results import GradedResult, ResultStatus
from tests.courses import course

TWO_PARTS = course()  # KP-1 (1 op) and KP-2 (0.5 op), ends 2026-12-15
NO_PARTS = course(parts=None)
ONE_PART = course(parts=[{"code": "KP-1", "name": "Piirustus", "laajuus_op": 1.5}])
GRADED_ON = dt.date(2026, 12, 10)
COMPLETED, INTERRUPTED = ResultStatus.COMPLETED, ResultStatus.INTERRUPTED


def graded(
    grade: str | None,
    status: ResultStatus = COMPLETED,
    parts: dict[str, str] | None = None,
    ended_on: dt.date | None = None,
) -> GradedResult:
    return GradedResult(grade, GRADED_ON, status, parts or {}, ended_on)


def shape(decided: Record | NotSent) -> tuple[str, list[str]] | str:
    """A record as its state and the codes of its parts; why not, for none."""
    if isinstance(decided, NotSent):
        return decided.reason
    return decided.state.value, [p.part.code for p in decided.parts]


@pytest.mark.parametrize(
    ("the_course", "result", "expected"),
    [
        (NO_PARTS, graded("Hyväksytty"), ("hyvaksytystisuoritettu", ["knoppi-2026-syksy"])),
        (NO_PARTS, graded("Hylätty"), "not_passed"),
        (TWO_PARTS, graded("Hyväksytty"), ("hyvaksytystisuoritettu", ["KP-1", "KP-2"])),
        (
            TWO_PARTS,
            graded("Hyväksytty", parts={"KP-1": "Hyväksytty", "KP-2": "Hyväksytty"}),
            ("hyvaksytystisuoritettu", ["KP-1", "KP-2"]),
        ),
        (
            TWO_PARTS,
            graded("Hyväksytty", parts={"KP-2": "Hylätty"}),
            ("keskeytynyt", ["KP-1"]),
        ),
        (TWO_PARTS, graded("Hylätty", parts={"KP-1": "Hyväksytty"}), ("keskeytynyt", ["KP-1"])),
        (TWO_PARTS, graded("Hylätty"), "not_passed"),
        (ONE_PART, graded("Hylätty"), "not_passed"),
        (ONE_PART, graded("Hyväksytty", parts={"KP-1": "Hylätty"}), "not_passed"),
        (
            TWO_PARTS,
            graded(None, INTERRUPTED, {"KP-1": "Hyväksytty"}),
            ("keskeytynyt", ["KP-1"]),
        ),
        (
            TWO_PARTS,
            graded(None, INTERRUPTED, {"KP-1": "Hyväksytty", "KP-2": "Hylätty"}),
            ("keskeytynyt", ["KP-1"]),
        ),
        (
            TWO_PARTS,  # every part passed, but the participant did not finish the course
            graded("Hyväksytty", INTERRUPTED, {"KP-1": "Hyväksytty", "KP-2": "Hyväksytty"}),
            ("keskeytynyt", ["KP-1", "KP-2"]),
        ),
        (TWO_PARTS, graded(None, INTERRUPTED, {"KP-2": "Hylätty"}), "no_assessed_part"),
        (TWO_PARTS, graded(None, INTERRUPTED), "no_assessed_part"),
        (ONE_PART, graded(None, INTERRUPTED, {"KP-1": "Hyväksytty"}), "single_part_interrupted"),
        (
            NO_PARTS,
            graded(None, INTERRUPTED, {"knoppi-2026-syksy": "Hyväksytty"}),
            "single_part_interrupted",
        ),
    ],
)
def test_what_a_record_carries(
    the_course: Course, result: GradedResult, expected: tuple[str, list[str]] | str
) -> None:
    assert shape(carried(the_course, result)) == expected


def test_a_numeric_grade_is_passed_and_carried() -> None:
    numeric = course(grading_scale="1-10")
    decided = carried(numeric, graded("8", parts={"KP-2": "9"}))
    assert isinstance(decided, Record)
    assert [p.grade for p in decided.parts] == ["8", "9"]


def test_extents_that_do_not_add_up_are_never_confirmed() -> None:
    # A course cannot be defined so; a record built from one must not be confirmed anyway (G5).
    uneven = replace(TWO_PARTS, laajuus_op=TWO_PARTS.laajuus_op + 1)
    assert shape(carried(uneven, graded("Hyväksytty"))) == ("keskeytynyt", ["KP-1", "KP-2"])


def test_a_record_is_dated_on_the_participants_end_date_and_confirmed_no_later() -> None:
    early = carried(TWO_PARTS, graded("Hyväksytty", ended_on=dt.date(2026, 12, 1)))
    assert isinstance(early, Record)
    assert (early.ended_on, early.confirmed_on) == (dt.date(2026, 12, 1), dt.date(2026, 12, 1))
    on_time = carried(TWO_PARTS, graded("Hyväksytty"))
    assert isinstance(on_time, Record)
    assert (on_time.ended_on, on_time.confirmed_on) == (dt.date(2026, 12, 15), GRADED_ON)
    left = carried(TWO_PARTS, graded(None, INTERRUPTED, {"KP-1": "Hyväksytty"}, GRADED_ON))
    assert isinstance(left, Record)
    assert (left.state, left.ended_on, left.confirmed_on) == (
        RecordState.INTERRUPTED,
        GRADED_ON,
        None,
    )


def test_a_course_edited_to_end_sooner_ends_its_participants_then() -> None:
    sooner = course(end_date="2026-12-03")
    decided = carried(sooner, graded("Hyväksytty", ended_on=dt.date(2026, 12, 5)))
    assert isinstance(decided, Record)
    assert decided.ended_on == dt.date(2026, 12, 3)


def test_nothing_dated_after_today_is_sent_until_its_day() -> None:
    ending = course(end_date="2027-01-15")
    assert sendable(ending, graded("Hyväksytty"), dt.date(2026, 12, 20)) == NotSent(
        "waiting_for_end"
    )
    assert isinstance(sendable(ending, graded("Hyväksytty"), dt.date(2027, 1, 15)), Record)
    early = graded("Hyväksytty", ended_on=dt.date(2026, 12, 18))
    assert isinstance(sendable(ending, early, dt.date(2026, 12, 20)), Record)
    assert sendable(ending, graded("Hylätty"), dt.date(2026, 12, 20)) == NotSent("not_passed")
