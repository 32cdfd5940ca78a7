"""KOSKI's duplicate rule: which of a person's records a new one collides with, and the import's
warning of it, against the in-memory fakes."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from consent import staff_actions
from consent.duplicates import LiveRecord, RecordKey, colliding, import_warnings, key_of
from consent.hetu import Hetu
from consent.record_rules import participant_end
from consent.results import FAILED, PASSED, ImportedResult, ResultStatus
from tests.courses import OPPILAITOS, course
from tests.fakes import InMemoryLiveRecords
from tests.hetus import make_hetu
from tests.unit.test_staff_actions import CODE, MAIJA, World

ADULT = make_hetu(dt.date(1990, 5, 5))
OTHER = make_hetu(dt.date(1985, 3, 3))
END = dt.date(2026, 12, 15)  # the course's end date
SAME_DAY = RecordKey(OPPILAITOS, "1138", END)


def _result(hetu: str, row: int = 1, ended_on: dt.date | None = None) -> ImportedResult:
    return ImportedResult(
        row, Hetu(hetu), "Aino", "Virtanen", PASSED, END, ResultStatus.COMPLETED, {}, ended_on
    )


def test_a_record_of_another_course_with_the_same_key_collides() -> None:
    others = [LiveRecord("syksy-2026-b", SAME_DAY)]
    assert colliding(SAME_DAY, others, CODE) == "syksy-2026-b"


def test_the_courses_own_record_is_an_update_never_a_duplicate() -> None:
    assert colliding(SAME_DAY, [LiveRecord(CODE, SAME_DAY)], CODE) is None


def test_another_day_or_another_opintokokonaisuus_or_oppilaitos_does_not_collide() -> None:
    differing = [
        replace(SAME_DAY, day=END - dt.timedelta(days=1)),
        replace(SAME_DAY, opintokokonaisuus="1139"),
        replace(SAME_DAY, oppilaitos_oid="1.2.246.562.10.14613773812"),
    ]
    others = [LiveRecord("toinen", key) for key in differing]
    assert colliding(SAME_DAY, others, CODE) is None


def test_a_record_is_keyed_on_the_day_it_carries() -> None:
    assert key_of(course(end_date="2026-12-15"), END) == SAME_DAY
    assert participant_end(END, None) == END
    assert participant_end(END, dt.date(2026, 12, 1)) == dt.date(2026, 12, 1)
    assert participant_end(END, dt.date(2027, 1, 1)) == END  # never after the course's end


def test_an_import_warns_of_each_row_whose_person_holds_a_record_on_the_same_day() -> None:
    others = {Hetu(ADULT): [LiveRecord("syksy-2026-b", SAME_DAY)]}
    checked = [_result(OTHER, 1), _result(ADULT, 2)]
    [warning] = import_warnings(course(end_date="2026-12-15"), checked, others)
    assert (warning.row, warning.course_code) == (2, "syksy-2026-b")
    assert "conflict.exists" in warning.reason
    assert ADULT not in warning.reason


def test_a_row_ended_on_another_day_than_the_course_does_not_collide() -> None:
    others = {Hetu(ADULT): [LiveRecord("syksy-2026-b", SAME_DAY)]}
    checked = [_result(ADULT, ended_on=dt.date(2026, 12, 1))]
    assert import_warnings(course(end_date="2026-12-15"), checked, others) == []


def test_a_row_that_would_send_no_record_is_not_warned_of() -> None:
    others = {Hetu(ADULT): [LiveRecord("syksy-2026-b", SAME_DAY)]}
    failed = replace(_result(ADULT), grade=FAILED)  # as checking the row stores it
    assert import_warnings(course(end_date="2026-12-15"), [failed], others) == []


def _world_holding(key: RecordKey) -> tuple[World, InMemoryLiveRecords]:
    world = World()
    held = InMemoryLiveRecords({Hetu(ADULT): [LiveRecord("syksy-2026-b", key)]})
    world.services = replace(world.services, records=held)
    return world, held


def test_importing_a_colliding_row_warns_and_still_imports_it() -> None:
    world, held = _world_holding(SAME_DAY)
    content = f"hetu,grade,graded_on\n{ADULT},hyväksytty,2026-12-10\n".encode()
    summary = staff_actions.import_results(world.services, CODE, content, "csv", MAIJA)
    assert summary.changed == 1
    assert [(w.row, w.course_code) for w in summary.warnings] == [(1, "syksy-2026-b")]
    assert held.asked == [(OPPILAITOS, "1138")]


def test_the_preview_warns_of_a_colliding_row_before_anything_is_imported() -> None:
    world, _ = _world_holding(SAME_DAY)
    content = f"hetu,grade,graded_on\n{ADULT},hyväksytty,2026-12-10\n".encode()
    preview = staff_actions.preview_results(world.services, CODE, content, "csv", MAIJA)
    assert [(w.row, w.course_code) for w in preview.warnings] == [(1, "syksy-2026-b")]
    assert world.results.hashes == {}


def test_an_import_with_no_colliding_row_has_no_warning() -> None:
    world, _ = _world_holding(replace(SAME_DAY, day=dt.date(2026, 6, 1)))
    content = f"hetu,grade,graded_on\n{ADULT},hyväksytty,2026-12-10\n".encode()
    assert staff_actions.import_results(world.services, CODE, content, "csv", MAIJA).warnings == ()
