"""Names sent to KOSKI are tagged by the course's language: a Swedish course's parts, their
descriptions and the confirmer's title go as ``{"sv": …}``, an English one's as ``{"en": …}``,
and a Finnish course's payload stays as it was (``{"fi": …}``), each accepted by the sandbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from consent.hetu import Hetu
from consent.koski_payload import StudyRight, build_payload
from consent.model import Person
from consent.results import GradedResult, ResultStatus
from sandbox.koski import rules
from sandbox.koski.structure import check_structure
from tests.courses import course
from tests.hetus import make_hetu

TODAY = dt.date(2026, 12, 20)
PERSON = Person(Hetu.parse(make_hetu(dt.date(1990, 5, 5)), today=TODAY), "Ebba", "Lind")
RIGHT = StudyRight("vstc-sv-1", "winnova")
PASSED = GradedResult("Hyväksytty", dt.date(2026, 12, 10), ResultStatus.COMPLETED, {})
SWEDISH_PARTS = [
    {"code": "BK-1", "name": "Teckning", "description": "Grunderna i teckning", "laajuus_op": 1.0},
    {"code": "BK-2", "name": "Målning", "laajuus_op": 0.5},
]
SWEDISH_CONFIRMER = {"name": "Rut Rektor", "title": "rektor"}


def suoritus(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload's päätason suoritus, once the sandbox's KOSKI rules have accepted it."""
    check_structure(payload)
    assert rules.validate(payload["opiskeluoikeudet"][0]) == []
    pts: dict[str, Any] = payload["opiskeluoikeudet"][0]["suoritukset"][0]
    return pts


def test_a_swedish_courses_parts_and_confirmer_are_tagged_swedish() -> None:
    swedish = course(language="SV", parts=SWEDISH_PARTS, confirmer=SWEDISH_CONFIRMER)
    pts = suoritus(build_payload(swedish, PERSON, PASSED, RIGHT))
    assert pts["suorituskieli"] == {"koodiarvo": "SV", "koodistoUri": "kieli"}
    modules = [o["koulutusmoduuli"] for o in pts["osasuoritukset"]]
    assert [m["tunniste"]["nimi"] for m in modules] == [{"sv": "Teckning"}, {"sv": "Målning"}]
    assert [m["kuvaus"] for m in modules] == [{"sv": "Grunderna i teckning"}, {"sv": "Målning"}]
    assert pts["vahvistus"]["myöntäjäHenkilöt"][0]["titteli"] == {"sv": "rektor"}


def test_a_swedish_course_that_is_its_own_part_goes_by_all_its_names_described_in_swedish() -> None:
    swedish = course(language="SV", parts=None)  # named in Finnish and in Swedish
    (own,) = suoritus(build_payload(swedish, PERSON, PASSED, RIGHT))["osasuoritukset"]
    assert own["koulutusmoduuli"]["tunniste"]["nimi"] == {
        "fi": "Kuvallisen ilmaisun perusteet",
        "sv": "Grunderna i bildkonst",
    }
    assert own["koulutusmoduuli"]["kuvaus"] == {"sv": "Grunderna i bildkonst"}


def test_a_swedish_course_without_a_swedish_name_is_named_and_described_in_finnish() -> None:
    unnamed = course(language="SV", parts=None, name={"fi": "Kuvallisen ilmaisun perusteet"})
    (own,) = suoritus(build_payload(unnamed, PERSON, PASSED, RIGHT))["osasuoritukset"]
    assert own["koulutusmoduuli"]["tunniste"]["nimi"] == {"fi": "Kuvallisen ilmaisun perusteet"}
    assert own["koulutusmoduuli"]["kuvaus"] == {"fi": "Kuvallisen ilmaisun perusteet"}


@pytest.mark.parametrize(("language", "tag"), [("FI", "fi"), ("EN", "en")])
def test_a_finnish_or_english_courses_parts_are_tagged_by_its_language(
    language: str, tag: str
) -> None:
    pts = suoritus(build_payload(course(language=language), PERSON, PASSED, RIGHT))
    modules = [o["koulutusmoduuli"] for o in pts["osasuoritukset"]]
    assert [m["tunniste"]["nimi"] for m in modules] == [{tag: "Piirustus"}, {tag: "Maalaus"}]
    assert modules[0]["kuvaus"] == {tag: "Piirustuksen perusteet"}
    assert pts["vahvistus"]["myöntäjäHenkilöt"][0]["titteli"] == {tag: "rehtori"}


def test_a_finnish_course_that_is_its_own_part_is_described_in_finnish_as_before() -> None:
    (own,) = suoritus(build_payload(course(parts=None), PERSON, PASSED, RIGHT))["osasuoritukset"]
    assert own["koulutusmoduuli"]["kuvaus"] == {"fi": "Kuvallisen ilmaisun perusteet"}
