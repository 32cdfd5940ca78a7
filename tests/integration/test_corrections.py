"""Corrections and contradictions against the sandbox over HTTP (SQLite, PostgreSQL): a
course edit sends again exactly the records whose payload changed, an oppilaitos change is
refused while KOSKI holds records, a sent result regraded to failed needs attention."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from consent import grading, staff_actions
from consent.adapters.koski import HttpKoski
from consent.adapters.sql.courses import SqlCourses
from consent.errors import OppilaitosLocked
from consent.koski_answers import KoskiAnswer
from consent.model import SubmissionState
from consent.staff import Actor
from tests.courses import course
from tests.integration import test_grading
from tests.integration.test_grading import (
    ADULT,
    GUARDIAN,
    MINOR,
    NOW,
    STRANGER,
    World,
    row,
    staff_services,
)
from tests.koski_server import PASSWORD, USER

world = test_grading.world  # the same fixture: a ledger, its queues and the sandbox
MAIJA = Actor.staff("maija")
CODE = "knoppi-2026-syksy"


def counting_puts(world: World) -> list[KoskiAnswer]:
    """Every answer KOSKI gives from now on (one for each PUT)."""
    puts: list[KoskiAnswer] = []
    caller = "1.2.246.562.10.00000000001.test"
    world.koski = HttpKoski(
        world.sandbox.url, USER, PASSWORD, caller, on_answer=puts.append, timeout=(2, 2)
    )
    return puts


def two_sent(world: World) -> None:
    """Two consented participants' passed results in KOSKI, and one without consent."""
    world.consent(ADULT, ADULT, "m1")
    world.consent(MINOR, GUARDIAN, "m2")
    world.import_rows([row(ADULT), row(MINOR), row(STRANGER)])
    assert world.work() == [SubmissionState.SENT, SubmissionState.SENT]


def states(world: World) -> list[str]:
    return [r["submission"]["state"] for r in world.course_status(CODE) if r["submission"]]


def test_a_course_edit_sends_again_every_record_whose_payload_changed(
    world: World, engine: Engine
) -> None:
    two_sent(world)
    puts = counting_puts(world)
    staff_actions.save_course(
        staff_services(world, engine), course(opintokokonaisuus="1139"), MAIJA
    )
    assert world.work() == [SubmissionState.SENT, SubmissionState.SENT]
    assert [answer.status for answer in puts] == [200, 200]
    codes = [
        s["suoritukset"][0]["koulutusmoduuli"]["opintokokonaisuus"]["koodiarvo"]  # type: ignore[index]
        for s in world.sandbox.stored()
    ]
    assert codes == ["1139", "1139"]


def test_a_course_edit_that_changes_no_payload_sends_nothing(world: World, engine: Engine) -> None:
    two_sent(world)
    puts = counting_puts(world)
    renamed = course(name={"fi": "Kuvallisen ilmaisun perusteet", "sv": "Bildkonst"})
    staff_actions.save_course(staff_services(world, engine), renamed, MAIJA)
    assert world.work() == [SubmissionState.SENT, SubmissionState.SENT]
    assert puts == []  # a course with parts carries not the course's name
    assert [s["versionumero"] for s in world.sandbox.stored()] == [1, 1]


def test_an_unchanged_import_after_a_course_edit_finds_the_records_corrected(
    world: World, engine: Engine
) -> None:
    two_sent(world)
    staff_actions.save_course(
        staff_services(world, engine), course(laajuus_op=1.5, opintokokonaisuus="1139"), MAIJA
    )
    world.work()
    puts = counting_puts(world)
    world.import_rows([row(ADULT), row(MINOR), row(STRANGER)])
    assert world.work() == []
    assert puts == []
    assert states(world) == ["sent", "sent"]


def test_an_oppilaitos_change_while_koski_holds_records_is_refused(
    world: World, engine: Engine
) -> None:
    two_sent(world)
    moved = course(oppilaitos_oid="1.2.246.562.10.99999999999")
    with pytest.raises(OppilaitosLocked):
        staff_actions.save_course(staff_services(world, engine), moved, MAIJA)
    assert SqlCourses(engine, lambda: NOW).find_course(CODE) == course(end_date="2026-12-15")
    assert world.jobs.results == []


def test_a_sent_result_regraded_to_failed_needs_attention_and_koski_keeps_it(
    world: World,
) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    world.work()
    puts = counting_puts(world)
    world.import_rows([row(ADULT, "hylätty")])
    assert world.work() == []
    assert puts == []
    [status] = world.course_status(CODE)
    submission: dict[str, Any] = status["submission"]
    assert (submission["state"], submission["attention"]) == ("attention", "not_passed")
    assert len(world.sandbox.stored()) == 1  # nothing invalidated without a person deciding


def test_a_course_edit_leaves_an_invalidated_record_out_of_koski(
    world: World, engine: Engine
) -> None:
    two_sent(world)
    first = world.course_status(CODE)[0]["submission"]["id"]
    grading.invalidate(first, world.submissions, world.koski, lambda: NOW, actor="staff")
    staff_actions.save_course(
        staff_services(world, engine), course(opintokokonaisuus="1139"), MAIJA
    )
    assert world.work() == [SubmissionState.SENT]
    assert len(world.sandbox.stored()) == 1
    assert states(world) == ["invalidated", "sent"]


def test_new_names_from_a_results_import_send_the_record_again(world: World) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    world.work()
    puts = counting_puts(world)
    world.import_rows([row(ADULT, first_names="Aino Maria", last_name="Virtanen")])
    assert world.work() == [SubmissionState.SENT]
    assert len(puts) == 1  # KOSKI keeps a known person's names from its own registers


def test_new_names_from_a_consent_signed_again_send_the_record_again(world: World) -> None:
    world.consent(ADULT, ADULT, "m1")
    world.import_rows([row(ADULT)])
    world.work()
    puts = counting_puts(world)
    married = {**ADULT, "last_name": "Korhonen"}
    world.consent(married, married, "m2")
    assert world.work() == [SubmissionState.SENT]
    assert len(puts) == 1
    world.consent(married, married, "m3")  # the same names once more: nothing to correct
    assert world.work() == [SubmissionState.SENT]
    assert len(puts) == 1


def test_a_new_end_date_of_one_participant_sends_only_their_record_again(world: World) -> None:
    two_sent(world)
    puts = counting_puts(world)
    world.import_rows([row(ADULT, ended_on="2026-12-01"), row(MINOR), row(STRANGER)])
    assert world.work() == [SubmissionState.SENT]
    assert len(puts) == 1
    versions: list[Any] = [s["versionumero"] for s in world.sandbox.stored()]  # JSON: ints
    assert sorted(versions) == [1, 2]
