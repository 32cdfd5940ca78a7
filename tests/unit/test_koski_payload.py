"""The KOSKI payload for a result: accepted by the sandbox's KOSKI rules in every shape we send."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from consent.errors import NothingToSend
from consent.hetu import Hetu
from consent.koski_payload import StudyRight, build_payload, payload_hash
from consent.model import Person
from consent.results import GradedResult, ResultStatus
from sandbox.koski import rules
from sandbox.koski.structure import check_structure
from tests.courses import course
from tests.hetus import make_hetu

TODAY = dt.date(2026, 12, 20)
PERSON = Person(Hetu.parse(make_hetu(dt.date(1990, 5, 5)), today=TODAY), "Aino Maria", "Virtanen")
RIGHT = StudyRight("vstc-123", "winnova")


def accepted(payload: dict[str, Any]) -> None:
    check_structure(payload)
    assert rules.validate(payload["opiskeluoikeudet"][0]) == []


def test_a_passed_result_is_confirmed_and_every_part_assessed() -> None:
    result = GradedResult("Hyväksytty", dt.date(2026, 12, 10), ResultStatus.COMPLETED, {})
    payload = build_payload(course(), PERSON, result, RIGHT)
    accepted(payload)
    oo = payload["opiskeluoikeudet"][0]
    assert oo["tila"]["opiskeluoikeusjaksot"] == [
        {
            "alku": "2026-12-15",
            "tila": {
                "koodiarvo": "hyvaksytystisuoritettu",
                "koodistoUri": "koskiopiskeluoikeudentila",
            },
        }
    ]
    pts = oo["suoritukset"][0]
    assert pts["vahvistus"]["päivä"] == "2026-12-10"
    assert pts["koulutusmoduuli"]["opintokokonaisuus"] == {
        "koodiarvo": "1138",
        "koodistoUri": "opintokokonaisuudet",
    }
    assert [o["arviointi"][0]["arvosana"]["koodiarvo"] for o in pts["osasuoritukset"]] == [
        "Hyväksytty"
    ] * 2
    assert oo["lähdejärjestelmänId"] == {
        "id": "vstc-123",
        "lähdejärjestelmä": {"koodiarvo": "winnova", "koodistoUri": "lahdejarjestelma"},
    }
    assert "oid" not in oo
    assert payload["henkilö"] == {
        "hetu": PERSON.hetu.reveal(),
        "etunimet": "Aino Maria",
        "sukunimi": "Virtanen",
    }


def test_a_vahvistus_is_never_after_the_course_end() -> None:
    late = GradedResult("Hyväksytty", dt.date(2026, 12, 18), ResultStatus.COMPLETED, {})
    payload = build_payload(course(), PERSON, late, RIGHT)
    accepted(payload)
    assert payload["opiskeluoikeudet"][0]["suoritukset"][0]["vahvistus"]["päivä"] == "2026-12-15"


def test_an_interrupted_result_has_no_vahvistus_and_carries_only_its_passed_parts() -> None:
    result = GradedResult(
        None, dt.date(2026, 11, 1), ResultStatus.INTERRUPTED, {"KP-1": "Hyväksytty"}
    )
    payload = build_payload(course(), PERSON, result, RIGHT)
    accepted(payload)
    pts = payload["opiskeluoikeudet"][0]["suoritukset"][0]
    assert "vahvistus" not in pts
    assert ["arviointi" in o for o in pts["osasuoritukset"]] == [True]  # KP-2 is left out
    assert (
        payload["opiskeluoikeudet"][0]["tila"]["opiskeluoikeusjaksot"][0]["tila"]["koodiarvo"]
        == "keskeytynyt"
    )


def test_a_numeric_scale_uses_the_vapaatavoitteinen_koodisto() -> None:
    result = GradedResult("8", dt.date(2026, 12, 10), ResultStatus.COMPLETED, {"KP-2": "9"})
    payload = build_payload(course(grading_scale="1-10"), PERSON, result, RIGHT)
    accepted(payload)
    grades = [
        o["arviointi"][0]["arvosana"]
        for o in payload["opiskeluoikeudet"][0]["suoritukset"][0]["osasuoritukset"]
    ]
    assert grades == [
        {"koodiarvo": "8", "koodistoUri": "arviointiasteikkovstvapaatavoitteinen"},
        {"koodiarvo": "9", "koodistoUri": "arviointiasteikkovstvapaatavoitteinen"},
    ]


def test_a_course_without_parts_is_its_own_part() -> None:
    result = GradedResult("Hyväksytty", dt.date(2026, 12, 10), ResultStatus.COMPLETED, {})
    payload = build_payload(
        course(parts=None, toimipiste_oid="1.2.246.562.10.78513447389"), PERSON, result, RIGHT
    )
    accepted(payload)
    pts = payload["opiskeluoikeudet"][0]["suoritukset"][0]
    assert pts["toimipiste"] == {"oid": "1.2.246.562.10.78513447389"}
    [part] = pts["osasuoritukset"]
    assert part["koulutusmoduuli"]["tunniste"]["koodiarvo"] == "knoppi-2026-syksy"
    assert part["koulutusmoduuli"]["laajuus"]["arvo"] == 1.5


def test_a_known_record_is_addressed_by_oid_and_can_be_invalidated() -> None:
    result = GradedResult("Hyväksytty", dt.date(2026, 12, 10), ResultStatus.COMPLETED, {})
    right = StudyRight("vstc-123", "winnova", oid="1.2.246.562.15.82898400641")
    payload = build_payload(course(), PERSON, result, right, invalidated_on=TODAY)
    oo = payload["opiskeluoikeudet"][0]
    assert oo["oid"] == right.oid
    assert oo["tila"]["opiskeluoikeusjaksot"][-1] == {
        "alku": "2026-12-20",
        "tila": {"koodiarvo": "mitatoity", "koodistoUri": "koskiopiskeluoikeudentila"},
    }


def test_the_hash_changes_with_the_content_only() -> None:
    result = GradedResult("Hyväksytty", dt.date(2026, 12, 10), ResultStatus.COMPLETED, {})
    first = payload_hash(build_payload(course(), PERSON, result, RIGHT))
    assert first == payload_hash(build_payload(course(), PERSON, result, RIGHT))
    regraded = GradedResult("Hyväksytty", dt.date(2026, 12, 11), ResultStatus.COMPLETED, {})
    assert first != payload_hash(build_payload(course(), PERSON, regraded, RIGHT))
    known = StudyRight(RIGHT.source_id, RIGHT.source_system, oid="1.2.246.562.15.82898400641")
    assert first == payload_hash(build_payload(course(), PERSON, result, known))  # sent before


def _codes(payload: dict[str, Any]) -> list[str]:
    pts = payload["opiskeluoikeudet"][0]["suoritukset"][0]
    return [o["koulutusmoduuli"]["tunniste"]["koodiarvo"] for o in pts["osasuoritukset"]]


def _jakso(payload: dict[str, Any]) -> tuple[str, str]:
    jakso = payload["opiskeluoikeudet"][0]["tila"]["opiskeluoikeusjaksot"][0]
    return jakso["alku"], jakso["tila"]["koodiarvo"]


def test_a_completed_result_with_a_failed_part_is_sent_interrupted_without_that_part() -> None:
    result = GradedResult(
        "Hyväksytty", dt.date(2026, 12, 10), ResultStatus.COMPLETED, {"KP-2": "Hylätty"}
    )
    payload = build_payload(course(), PERSON, result, RIGHT)
    accepted(payload)
    assert _jakso(payload) == ("2026-12-15", "keskeytynyt")
    assert _codes(payload) == ["KP-1"]
    assert "vahvistus" not in payload["opiskeluoikeudet"][0]["suoritukset"][0]
    assert "Hylätty" not in json.dumps(payload, ensure_ascii=False)


def test_both_states_are_dated_on_the_participants_own_end_date() -> None:
    passed = GradedResult(
        "Hyväksytty", dt.date(2026, 12, 10), ResultStatus.COMPLETED, {}, dt.date(2026, 12, 5)
    )
    payload = build_payload(course(), PERSON, passed, RIGHT)
    accepted(payload)
    assert _jakso(payload) == ("2026-12-05", "hyvaksytystisuoritettu")
    # Graded after the participant ended: the vahvistus is dated on that day, not later (G3).
    assert payload["opiskeluoikeudet"][0]["suoritukset"][0]["vahvistus"]["päivä"] == "2026-12-05"
    left = GradedResult(
        None, dt.date(2026, 12, 10), ResultStatus.INTERRUPTED, {"KP-1": "8"}, dt.date(2026, 11, 2)
    )
    payload = build_payload(course(grading_scale="1-10"), PERSON, left, RIGHT)
    accepted(payload)
    assert _jakso(payload) == ("2026-11-02", "keskeytynyt")


def test_a_result_whose_record_carries_nothing_has_no_payload_but_can_be_invalidated() -> None:
    failed = GradedResult("Hylätty", dt.date(2026, 12, 10), ResultStatus.COMPLETED, {})
    with pytest.raises(NothingToSend) as refused:
        build_payload(course(), PERSON, failed, RIGHT)
    assert refused.value.reason == "not_passed"
    right = StudyRight("vstc-123", "winnova", oid="1.2.246.562.15.82898400641")
    payload = build_payload(course(), PERSON, failed, right, invalidated_on=TODAY)
    check_structure(payload)
    assert "Hylätty" not in json.dumps(payload, ensure_ascii=False)
    jaksot = payload["opiskeluoikeudet"][0]["tila"]["opiskeluoikeusjaksot"]
    assert [j["tila"]["koodiarvo"] for j in jaksot] == ["keskeytynyt", "mitatoity"]


@pytest.mark.parametrize("scale", ["hyvaksytty-hylatty", "1-10"])
def test_course_parts_must_add_up(scale: str) -> None:
    from consent.errors import InvalidCourse  # noqa: PLC0415

    with pytest.raises(InvalidCourse, match="add up"):
        course(grading_scale=scale, laajuus_op=2.0)
