"""A Swedish course's record reaches the KOSKI sandbox over HTTP (SQLite, PostgreSQL) with its
names tagged Swedish: the parts, their descriptions and the confirmer's title as ``{"sv": …}``,
and suorituskieli SV."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.courses import SqlCourses
from consent.model import SubmissionState
from tests.courses import course
from tests.integration.test_record_contents import ADULT, OTHER, World, pts, row, world_on

SWEDISH = course(
    code="bildkonst-2026",
    language="SV",
    confirmer={"name": "Rut Rektor", "title": "rektor"},
    parts=[
        {"code": "BK-1", "name": "Teckning", "description": "Grunderna", "laajuus_op": 1.0},
        {"code": "BK-2", "name": "Målning", "laajuus_op": 0.5},
    ],
)
OWN_PART = course(code="bildkonst-hel", language="SV", parts=None)  # named in fi and sv


@pytest.fixture
def world(engine: Engine, cipher: AesGcmCipher, tmp_path: Path) -> Iterator[World]:
    with world_on(engine, cipher, tmp_path) as made:
        courses = SqlCourses(engine, made.clock)
        for defined in (SWEDISH, OWN_PART):
            courses.save_course(defined, "test")
        yield made


def test_a_swedish_courses_record_reaches_koski_with_swedish_names(world: World) -> None:
    world.consent(ADULT, SWEDISH, "sv1")
    world.import_rows(SWEDISH, [row(ADULT)])
    assert world.work() == [SubmissionState.SENT]
    [stored] = world.sandbox.stored()
    suoritus = pts(stored)
    assert suoritus["suorituskieli"]["koodiarvo"] == "SV"
    modules = {
        o["koulutusmoduuli"]["tunniste"]["koodiarvo"]: o["koulutusmoduuli"]
        for o in suoritus["osasuoritukset"]
    }
    assert modules["BK-1"]["tunniste"]["nimi"] == {"sv": "Teckning"}
    assert modules["BK-1"]["kuvaus"] == {"sv": "Grunderna"}
    assert modules["BK-2"]["tunniste"]["nimi"] == {"sv": "Målning"}
    assert suoritus["vahvistus"]["myöntäjäHenkilöt"][0]["titteli"] == {"sv": "rektor"}


def test_a_swedish_course_that_is_its_own_part_reaches_koski_by_both_its_names(
    world: World,
) -> None:
    world.consent(OTHER, OWN_PART, "sv2")
    world.import_rows(OWN_PART, [row(OTHER)])
    assert world.work() == [SubmissionState.SENT]
    [stored] = world.sandbox.stored()
    [own] = pts(stored)["osasuoritukset"]
    assert own["koulutusmoduuli"]["tunniste"]["nimi"] == {
        "fi": "Kuvallisen ilmaisun perusteet",
        "sv": "Grunderna i bildkonst",
    }
    assert own["koulutusmoduuli"]["kuvaus"] == {"sv": "Grunderna i bildkonst"}
