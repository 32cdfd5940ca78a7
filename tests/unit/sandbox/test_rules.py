"""One test per KOSKI rule the sandbox enforces, with KOSKI's keys."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sandbox.koski import rules
from tests.koski_docs import interrupted, jakso, oo, passed, pts


def keys(document: dict[str, Any]) -> list[str]:
    return [e.key for e in rules.validate(oo(document))]


def test_the_reference_examples_break_no_rule() -> None:
    assert keys(passed()) == []
    assert keys(interrupted()) == []


def test_v1_a_confirmed_record_cannot_be_interrupted() -> None:
    document = interrupted()
    pts(document)["vahvistus"] = copy.deepcopy(pts(passed())["vahvistus"])
    pts(document)["vahvistus"]["päivä"] = "2022-05-31"
    pts(document)["osasuoritukset"][0]["koulutusmoduuli"]["laajuus"]["arvo"] = 5.0  # sums agree
    assert keys(document) == [
        "badRequest.validation.tila.vapaanSivistystyönVapaatavoitteeisenKoulutuksenVahvistus"
    ]


def test_v1_a_passed_record_needs_a_vahvistus() -> None:
    document = passed()
    del pts(document)["vahvistus"]
    assert keys(document) == [
        "badRequest.validation.tila.vapaanSivistystyönVapaatavoitteeisenKoulutuksenVahvistus"
    ]


def test_v2_at_least_one_top_level_part_must_be_assessed() -> None:
    document = interrupted()
    del pts(document)["osasuoritukset"][0]["arviointi"]
    assert keys(document) == [
        "badRequest.validation.tila.vapaanSivistystyönVapaatavoitteisenKoulutuksenPäätasonOsasuoritukset"
    ]


def test_v3_the_opintokokonaisuus_is_mandatory_for_a_source_system() -> None:
    document = interrupted()
    del pts(document)["koulutusmoduuli"]["opintokokonaisuus"]
    assert keys(document) == [
        "badRequest.validation.vapaasivistystyo.puuttuvaOpintokokonaisuusDeadline"
    ]
    del oo(document)["lähdejärjestelmänId"]
    assert keys(document) == ["badRequest.validation.vapaasivistystyo.puuttuvaOpintokokonaisuus"]


def test_g1_only_a_mitatointi_may_follow_the_terminal_jakso() -> None:
    document = interrupted()
    oo(document)["tila"]["opiskeluoikeusjaksot"].append(jakso("2022-06-01", "keskeytynyt"))
    assert keys(document)[0] == "badRequest.validation.tila.montaPäättävääTilaa"
    document = interrupted()
    oo(document)["tila"]["opiskeluoikeusjaksot"].append(jakso("2022-06-01", "mitatoity"))
    assert "badRequest.validation.tila.montaPäättävääTilaa" not in keys(document)


def test_g2_jaksot_must_be_in_date_order() -> None:
    document = interrupted()
    oo(document)["tila"]["opiskeluoikeusjaksot"].append(jakso("2022-05-01", "mitatoity"))
    assert "badRequest.validation.date.opiskeluoikeusjaksojenPäivämäärät" in keys(document)
    same_day = interrupted()
    oo(same_day)["tila"]["opiskeluoikeusjaksot"].append(jakso("2022-05-31", "mitatoity"))
    assert "badRequest.validation.date.opiskeluoikeusjaksojenPäivämäärät" not in keys(same_day)


def test_g3_the_vahvistus_may_not_come_after_the_end() -> None:
    document = passed()
    pts(document)["vahvistus"]["päivä"] = "2022-06-01"
    assert keys(document) == ["badRequest.validation.date.päättymispäiväEnnenVahvistusta"]


def test_g4_the_planned_end_is_not_before_the_start() -> None:
    document = passed()
    oo(document)["arvioituPäättymispäivä"] = "2022-05-30"
    assert keys(document) == ["badRequest.validation.date.arvioituPäättymisPäiväEnnenAlkamispäivää"]


def test_g5_a_confirmed_record_s_parts_add_up_to_its_extent() -> None:
    document = passed()
    pts(document)["koulutusmoduuli"]["laajuus"]["arvo"] = 6.0
    assert keys(document) == ["badRequest.validation.laajuudet.osasuoritustenLaajuuksienSumma"]


def test_g5_sums_are_not_checked_without_a_vahvistus() -> None:
    document = interrupted()  # 5 op course, one 2 op part: legal while keskeytynyt
    assert keys(document) == []


def test_g5_an_assessed_part_s_children_add_up_too() -> None:
    document = passed()
    pts(document)["osasuoritukset"][0]["osasuoritukset"][0]["koulutusmoduuli"]["laajuus"][
        "arvo"
    ] = 4.0
    assert keys(document) == ["badRequest.validation.laajuudet.osasuoritustenLaajuuksienSumma"]


def test_g6_an_assessed_part_has_no_unassessed_part_under_it() -> None:
    document = passed()
    del pts(document)["osasuoritukset"][0]["osasuoritukset"][0]["arviointi"]
    assert keys(document) == ["badRequest.validation.tila.keskeneräinenOsasuoritus"]


def test_g7_a_confirmed_record_has_parts() -> None:
    document = passed()
    pts(document)["osasuoritukset"] = []
    assert "badRequest.validation.tila.valmiiksiMerkityltäPuuttuuOsasuorituksia" in keys(document)


def test_g8_two_parts_with_the_same_tunniste_are_a_duplicate() -> None:
    document = interrupted()
    parts = pts(document)["osasuoritukset"]
    parts.append(copy.deepcopy(parts[0]))
    assert keys(document) == ["badRequest.validation.rakenne.duplikaattiOsasuoritus"]


@pytest.mark.parametrize(
    ("member", "key"),
    [
        ({"maksuttomuus": []}, "badRequest.validation.maksuttomuus.eiKelpoisuutta"),
        (
            {"jotpaAsianumero": {"koodiarvo": "01/5848/2023", "koodistoUri": "jotpaasianumero"}},
            "badRequest.validation.tila.jotpaAsianumeroAnnettuVaikkeiJotpaRahoitteinen",
        ),
    ],
)
def test_lisatiedot_that_do_not_apply_are_refused(member: dict[str, Any], key: str) -> None:
    document = interrupted()
    oo(document)["lisätiedot"] = member
    assert keys(document) == [key]
