"""The KOSKI stand-in of the lifecycle test answers as the reference says KOSKI does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.koski_docs import changed, interrupted, jakso, oo, passed, pts
from tests.koski_standin import PASSWORD, USER, KoskiStandIn, Refused, running_standin

TODAY = dt.date(2026, 12, 1)


def _refusal(koski: KoskiStandIn, document: dict[str, Any]) -> tuple[int, str]:
    with pytest.raises(Refused) as refused:
        koski.put(document)
    return refused.value.status, refused.value.key


def _other_source(document: dict[str, Any], source_id: str) -> dict[str, Any]:
    source = {**oo(document)["lähdejärjestelmänId"], "id": source_id}
    return changed(document, **{"lähdejärjestelmänId": source})


def test_the_reference_examples_are_stored_and_an_unchanged_put_keeps_the_version() -> None:
    koski = KoskiStandIn(lambda: TODAY)
    first = koski.put(passed())["opiskeluoikeudet"][0]
    assert (first["versionumero"], first["lähdejärjestelmänId"]["id"]) == (1, "win-423082")
    assert koski.put(passed())["opiskeluoikeudet"][0] == first
    update = changed(passed(), oid=first["oid"], arvioituPäättymispäivä="2022-06-01")
    assert koski.put(update)["opiskeluoikeudet"][0]["versionumero"] == 2
    assert [p.changed for p in koski.puts] == [True, False, True]
    assert koski.get(first["oid"])["versionumero"] == 2
    assert (
        koski.put(_other_source(interrupted(), "win-2"))["opiskeluoikeudet"][0]["oid"]
        != (first["oid"])
    )


def _unconfirmed(document: dict[str, Any]) -> dict[str, Any]:
    pts(document).pop("vahvistus")
    return document


def _confirmed_late(document: dict[str, Any]) -> dict[str, Any]:
    pts(document)["vahvistus"]["päivä"] = "2022-06-01"
    return document


def _parts_short(document: dict[str, Any]) -> dict[str, Any]:
    pts(document)["koulutusmoduuli"]["laajuus"]["arvo"] = 6.0
    return document


def _unassessed(document: dict[str, Any]) -> dict[str, Any]:
    for osasuoritus in pts(document)["osasuoritukset"]:
        osasuoritus.pop("arviointi")
    return document


@pytest.mark.parametrize(
    ("broken", "key"),
    [
        (
            _unconfirmed,
            "badRequest.validation.tila.vapaanSivistystyönVapaatavoitteeisenKoulutuksenVahvistus",
        ),
        (_confirmed_late, "badRequest.validation.date.päättymispäiväEnnenVahvistusta"),
        (_parts_short, "badRequest.validation.laajuudet.osasuoritustenLaajuuksienSumma"),
        (
            _unassessed,
            "badRequest.validation.tila."
            "vapaanSivistystyönVapaatavoitteisenKoulutuksenPäätasonOsasuoritukset",
        ),
    ],
)
def test_a_record_breaking_a_vst_rule_is_refused_with_koskis_key(
    broken: Callable[[dict[str, Any]], dict[str, Any]], key: str
) -> None:
    koski = KoskiStandIn(lambda: TODAY)
    assert _refusal(koski, broken(passed())) == (400, key)
    assert koski.records() == {}


def test_another_record_of_the_same_training_on_the_same_day_is_a_duplicate() -> None:
    koski = KoskiStandIn(lambda: TODAY)
    koski.put(passed())
    assert _refusal(koski, _other_source(passed(), "win-2")) == (409, "conflict.exists")
    other_day = _other_source(passed(), "win-3")
    oo(other_day)["tila"]["opiskeluoikeusjaksot"] = [jakso("2022-06-01", "hyvaksytystisuoritettu")]
    koski.put(other_day)
    assert len(koski.records()) == 2


def test_a_mitatointi_deletes_and_the_same_source_id_may_then_make_a_new_record() -> None:
    koski = KoskiStandIn(lambda: TODAY)
    oid = koski.put(passed())["opiskeluoikeudet"][0]["oid"]
    cancel = changed(passed(), oid=oid)
    oo(cancel)["tila"]["opiskeluoikeusjaksot"].append(jakso("2026-12-02", "mitatoity"))
    assert _refusal(koski, cancel)[1] == "badRequest.validation.tila.mitätöintiTulevaisuudessa"
    oo(cancel)["tila"]["opiskeluoikeusjaksot"][-1] = jakso(TODAY.isoformat(), "mitatoity")
    koski.put(cancel)
    assert koski.records() == {}
    with pytest.raises(Refused):
        koski.get(oid)
    assert _refusal(koski, cancel) == (404, "notFound.opiskeluoikeuttaEiLöydyTaiEiOikeuksia")
    assert koski.put(passed())["opiskeluoikeudet"][0]["oid"] != oid
    new = changed(_other_source(cancel, "new"), oid=None)
    key = "badRequest.validation.tila.uudenOpiskeluoikeudenTallennusMitäöitynäEiSallittu"
    assert _refusal(koski, new) == (400, key)


def test_after_a_citizens_revocation_the_record_is_gone_and_its_source_id_refused() -> None:
    koski = KoskiStandIn(lambda: TODAY)
    oid = koski.put(passed())["opiskeluoikeudet"][0]["oid"]
    koski.revoke_in_oma_opintopolku(oid)
    assert koski.records() == {}
    assert _refusal(koski, passed()) == (403, "forbidden.suostumusPeruttu")
    koski.put(_other_source(interrupted(), "win-2"))  # another id is another record


def test_over_http_it_wants_basic_auth_and_utf_8_json() -> None:
    with running_standin(lambda: TODAY) as (koski, url):
        body = passed()
        assert requests.put(f"{url}/api/oppija", json=body, timeout=10).status_code == 401
        auth = (USER, PASSWORD)
        plain = requests.put(f"{url}/api/oppija", json=body, auth=auth, timeout=10)
        assert (plain.status_code, plain.json()[0]["key"]) == (415, "unsupportedMediaType.jsonOnly")
        headers = {"Content-Type": "application/json; charset=UTF-8"}
        stored = requests.put(
            f"{url}/api/oppija", json=body, auth=auth, headers=headers, timeout=10
        )
        oid = stored.json()["opiskeluoikeudet"][0]["oid"]
        assert (
            requests.get(f"{url}/api/opiskeluoikeus/{oid}", auth=auth, timeout=10).json()["oid"]
            == oid
        )
        assert requests.get(f"{url}/api/opiskeluoikeus/x", auth=auth, timeout=10).status_code == 404
        assert len(koski.puts) == 1
