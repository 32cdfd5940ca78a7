"""The sandbox's structural checks: KOSKI's jsonSchema error form, koodistot and V4."""

from __future__ import annotations

from typing import Any

import pytest

from consent.config import Settings
from sandbox.koski.errors import KoskiFailure
from sandbox.koski.structure import check_structure
from tests.koski_docs import interrupted, jakso, oo, passed, pts


def problems(document: Any) -> list[tuple[str, str]]:
    with pytest.raises(KoskiFailure) as caught:
        check_structure(document)
    [error] = caught.value.errors
    assert (error.status, error.key) == (400, "badRequest.validation.jsonSchema")
    return [(p["path"], p["error"]["errorType"]) for p in error.message]


def test_the_reference_examples_are_well_formed() -> None:
    check_structure(passed())
    check_structure(interrupted())


def test_a_missing_required_field_is_named() -> None:
    document = passed()
    del pts(document)["suorituskieli"]
    assert problems(document) == [
        ("opiskeluoikeudet.0.suoritukset.0.suorituskieli", "missingProperty")
    ]


def test_an_unknown_field_is_unexpected() -> None:
    document = passed()
    pts(document)["arviointi"] = []  # the päätason suoritus has no arviointi in this type
    assert problems(document) == [
        ("opiskeluoikeudet.0.suoritukset.0.arviointi", "unexpectedProperty")
    ]


def test_a_state_that_is_not_terminal_fails_the_jakso_class() -> None:
    document = passed()
    oo(document)["tila"]["opiskeluoikeusjaksot"] = [jakso("2022-05-31", "lasna")]
    assert problems(document) == [
        ("opiskeluoikeudet.0.tila.opiskeluoikeusjaksot.0.tila", "notAnyOf")
    ]


@pytest.mark.parametrize(
    ("place", "value", "expected"),
    [
        ("suorituskieli", {"koodiarvo": "XXX", "koodistoUri": "kieli"}, "tuntematonKoodi"),
        ("suorituskieli", {"koodiarvo": "FI", "koodistoUri": "kielet"}, "enumValueMismatch"),
    ],
)
def test_codes_are_checked_against_their_koodisto(
    place: str, value: dict[str, str], expected: str
) -> None:
    document = passed()
    pts(document)[place] = value
    assert problems(document)[0][1] == expected


def test_grades_come_from_either_vst_scale() -> None:
    document = interrupted()
    grade = pts(document)["osasuoritukset"][0]["arviointi"][0]["arvosana"]
    grade.update(koodiarvo="Hyväksytty", koodistoUri="arviointiasteikkovst")
    check_structure(document)
    grade.update(koodiarvo="11", koodistoUri="arviointiasteikkovstvapaatavoitteinen")
    assert problems(document) == [
        (
            "opiskeluoikeudet.0.suoritukset.0.osasuoritukset.0.arviointi.0.arvosana.koodiarvo",
            "tuntematonKoodi",
        )
    ]


def test_an_extent_must_be_positive_credits() -> None:
    document = interrupted()
    pts(document)["koulutusmoduuli"]["laajuus"]["arvo"] = 0
    assert problems(document) == [
        (
            "opiskeluoikeudet.0.suoritukset.0.koulutusmoduuli.laajuus.arvo",
            "smallerThanOrEqualToExclusiveMinimumValue",
        )
    ]
    document = interrupted()
    pts(document)["koulutusmoduuli"]["laajuus"]["yksikkö"]["koodiarvo"] = "1"
    assert problems(document)[0][1] == "tuntematonKoodi"


def test_an_unknown_source_system_is_an_unknown_code() -> None:
    document = passed()
    oo(document)["lähdejärjestelmänId"]["lähdejärjestelmä"]["koodiarvo"] = "ei-tunnettu"
    assert problems(document)[0][1] == "tuntematonKoodi"


def test_the_local_stacks_own_source_system_is_a_code_the_sandbox_knows() -> None:
    document = passed()
    code = Settings.from_env({}).koski_source_system
    oo(document)["lähdejärjestelmänId"]["lähdejärjestelmä"]["koodiarvo"] = code
    check_structure(document)


@pytest.mark.parametrize("bad", ["2022-02-30", "31.5.2022", ""])
def test_dates_must_be_real_iso_dates(bad: str) -> None:
    document = passed()
    oo(document)["tila"]["opiskeluoikeusjaksot"][0]["alku"] = bad
    assert problems(document)[0][0] == "opiskeluoikeudet.0.tila.opiskeluoikeusjaksot.0.alku"


def test_an_organisation_oid_must_be_well_formed() -> None:
    document = passed()
    oo(document)["oppilaitos"]["oid"] = "1.2.3"
    assert problems(document) == [
        ("opiskeluoikeudet.0.oppilaitos.oid", "regularExpressionMismatch")
    ]


def test_a_person_is_a_new_person_or_an_oid() -> None:
    document = passed()
    document["henkilö"] = {"nimi": "x"}
    assert problems(document) == [("henkilö", "notAnyOf")]
