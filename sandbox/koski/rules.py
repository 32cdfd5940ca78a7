"""KOSKI's validation rules for one structurally valid VST vapaatavoitteinen opiskeluoikeus.

Each rule is a pure function from the opiskeluoikeus (a dict as sent) to the errors it
finds, labelled V1–V3 (the vapaatavoitteinen record's own rules) or G1–G8 (rules of every
opiskeluoikeus) and stated in words in its docstring. G9 and G12 need the store and live in
:mod:`sandbox.koski.service`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, Final

from sandbox.koski.errors import KoskiError, validation

Oo = dict[str, Any]
Rule = Callable[[Oo], list[KoskiError]]

TERMINAL: Final = ("hyvaksytystisuoritettu", "keskeytynyt", "mitatoity")
SUM_TOLERANCE: Final = Decimal("0.001")


def jaksot(oo: Oo) -> list[tuple[dt.date, str]]:
    """The opiskeluoikeusjaksot as (alku, tila) pairs, in the order sent."""
    return [
        (dt.date.fromisoformat(j["alku"]), j["tila"]["koodiarvo"])
        for j in oo["tila"]["opiskeluoikeusjaksot"]
    ]


def pts(oo: Oo) -> dict[str, Any]:
    """The one päätason suoritus."""
    suoritus: dict[str, Any] = oo["suoritukset"][0]
    return suoritus


def v1_vahvistus_matches_tila(oo: Oo) -> list[KoskiError]:
    """V1: hyväksytysti suoritettu needs a vahvistus; keskeytynyt forbids one."""
    states = {tila for _, tila in jaksot(oo)}
    key = "tila.vapaanSivistystyönVapaatavoitteeisenKoulutuksenVahvistus"
    if "vahvistus" in pts(oo) and "keskeytynyt" in states:
        return [
            validation(
                key,
                "Vahvistetulla vapaan sivistystyön vapaatavoitteisella koulutuksella ei voi olla päättävänä tilana 'Keskeytynyt'",
            )
        ]
    if "vahvistus" not in pts(oo) and "hyvaksytystisuoritettu" in states:
        return [
            validation(
                key,
                "Vahvistamattomalla vapaan sivistystyön vapaatavoitteisella koulutuksella ei voi olla päättävänä tilana 'Hyväksytysti suoritettu'",
            )
        ]
    return []


def v2_an_assessed_osasuoritus(oo: Oo) -> list[KoskiError]:
    """V2: at least one direct osasuoritus of the päätason suoritus has an arviointi."""
    if any("arviointi" in os_ for os_ in pts(oo).get("osasuoritukset", [])):
        return []
    key = "tila.vapaanSivistystyönVapaatavoitteisenKoulutuksenPäätasonOsasuoritukset"
    return [
        validation(
            key,
            "Vapaatavoitteisella vapaan sivistystyön koulutuksella tulee olla vähintään yksi arvioitu osasuoritus",
        )
    ]


def v3_opintokokonaisuus(oo: Oo) -> list[KoskiError]:
    """V3: the koulutusmoduuli names its opintokokonaisuus."""
    if "opintokokonaisuus" in pts(oo)["koulutusmoduuli"]:
        return []
    if "lähdejärjestelmänId" in oo:
        key, after = "vapaasivistystyo.puuttuvaOpintokokonaisuusDeadline", " 1.8.2022 jälkeen"
    else:
        key, after = "vapaasivistystyo.puuttuvaOpintokokonaisuus", ""
    return [
        validation(
            key,
            f"Vapaatavoitteiselta vapaan sivistystyön koulutukselta puuttuu opintokokonaisuus, joka on pakollinen tieto{after}",
        )
    ]


def g1_one_terminal_jakso(oo: Oo) -> list[KoskiError]:
    """G1: one terminal jakso, optionally followed by a mitätöinti; nothing after a terminal one."""
    states = [tila for _, tila in jaksot(oo)]
    first = next((i for i, tila in enumerate(states) if tila in TERMINAL), None)
    after = [] if first is None else states[first + 1 :]
    if any(tila not in TERMINAL for tila in after):
        return [
            validation(
                "tila.tilaMuuttunutLopullisenTilanJälkeen",
                "Opiskeluoikeuden tila muuttunut lopullisen tilan jälkeen",
            )
        ]
    if len(after) > 1 or (after and after[0] != "mitatoity"):
        return [
            validation(
                "tila.montaPäättävääTilaa",
                "Opiskeluoikeudella voi olla vain yksi opiskeluoikeuden päättävä tila",
            )
        ]
    return []


def g2_jakso_order(oo: Oo) -> list[KoskiError]:
    """G2: each jakso starts after the previous one (the same day only for a mitätöinti)."""
    pairs = jaksot(oo)
    for (before, _), (after, tila) in itertools.pairwise(pairs):
        if after < before or (after == before and tila != "mitatoity"):
            return [
                validation(
                    "date.opiskeluoikeusjaksojenPäivämäärät",
                    "Opiskeluoikeusjaksojen on oltava päivämääräjärjestyksessä",
                )
            ]
    return []


def g3_vahvistus_not_after_end(oo: Oo) -> list[KoskiError]:
    """G3: the vahvistus is dated on or before the terminal jakso."""
    vahvistus = pts(oo).get("vahvistus")
    ends = [alku for alku, tila in jaksot(oo) if tila in TERMINAL and tila != "mitatoity"]
    if vahvistus is None or not ends:
        return []
    if dt.date.fromisoformat(vahvistus["päivä"]) > ends[0]:
        return [
            validation(
                "date.päättymispäiväEnnenVahvistusta",
                f"suoritus.vahvistus.päivä ({vahvistus['päivä']}) oltava sama tai aiempi kuin päättymispäivä ({ends[0].isoformat()})",
            )
        ]
    return []


def g4_dates(oo: Oo) -> list[KoskiError]:
    """G4: arvioitu päättymispäivä and päättymispäivä are not before the alkamispäivä."""
    pairs = jaksot(oo)
    start = pairs[0][0]
    planned = oo.get("arvioituPäättymispäivä")
    if planned is not None and dt.date.fromisoformat(planned) < start:
        return [
            validation(
                "date.arvioituPäättymisPäiväEnnenAlkamispäivää",
                f"alkamispäivä ({start}) oltava sama tai aiempi kuin arvioituPäättymispäivä ({planned})",
            )
        ]
    return []


def g5_laajuus_sums(oo: Oo) -> list[KoskiError]:
    """G5: a finished suoritus with a laajuus has children whose laajuudet add up to it."""
    top = pts(oo)
    errors = []
    if "vahvistus" in top:
        errors += _sum_errors(top.get("koulutusmoduuli", {}), top.get("osasuoritukset", []))
    for os_ in _all_osasuoritukset(top.get("osasuoritukset", [])):
        if "arviointi" in os_:
            errors += _sum_errors(os_["koulutusmoduuli"], os_.get("osasuoritukset", []))
    return errors[:1]


def _sum_errors(module: dict[str, Any], children: list[dict[str, Any]]) -> list[KoskiError]:
    laajuus = module.get("laajuus")
    child_laajuudet = [
        c["koulutusmoduuli"]["laajuus"] for c in children if "laajuus" in c["koulutusmoduuli"]
    ]
    if laajuus is None or not child_laajuudet:
        return []
    if any(c["yksikkö"]["koodiarvo"] != laajuus["yksikkö"]["koodiarvo"] for c in child_laajuudet):
        return [
            validation(
                "laajuudet.osasuorituksellaEriLaajuusyksikkö",
                "Osasuorituksella on eri laajuusyksikkö kuin suorituksella",
            )
        ]
    total = sum(Decimal(str(c["arvo"])) for c in child_laajuudet)
    if abs(total - Decimal(str(laajuus["arvo"]))) > SUM_TOLERANCE:
        return [
            validation(
                "laajuudet.osasuoritustenLaajuuksienSumma",
                f"Suorituksen laajuus ({laajuus['arvo']}) ei vastaa osasuoritusten laajuuksien summaa ({total})",
            )
        ]
    return []


def g6_no_unfinished_under_finished(oo: Oo) -> list[KoskiError]:
    """G6: an assessed osasuoritus has no unassessed osasuoritus under it, at any depth."""
    for os_ in _all_osasuoritukset(pts(oo).get("osasuoritukset", [])):
        if "arviointi" in os_ and any(
            "arviointi" not in c for c in _all_osasuoritukset(os_.get("osasuoritukset", []))
        ):
            tunniste = os_["koulutusmoduuli"]["tunniste"]["koodiarvo"]
            return [
                validation(
                    "tila.keskeneräinenOsasuoritus",
                    f"Valmiiksi merkityllä suorituksella {tunniste} on keskeneräinen osasuoritus",
                )
            ]
    return []


def g7_finished_has_osasuoritukset(oo: Oo) -> list[KoskiError]:
    """G7: a päätason suoritus with a vahvistus has osasuorituksia."""
    top = pts(oo)
    if "vahvistus" in top and not top.get("osasuoritukset"):
        return [
            validation(
                "tila.valmiiksiMerkityltäPuuttuuOsasuorituksia",
                "Suoritus on merkitty valmiiksi, mutta sillä ei ole osasuorituksia",
            )
        ]
    return []


def g8_no_duplicate_osasuoritus(oo: Oo) -> list[KoskiError]:
    """G8: no two direct osasuoritukset with the same tunniste (koodiarvo and nimi)."""
    seen: set[str] = set()
    for os_ in pts(oo).get("osasuoritukset", []):
        tunniste = os_["koulutusmoduuli"]["tunniste"]
        key = repr((tunniste["koodiarvo"], sorted(tunniste["nimi"].items())))
        if key in seen:
            return [
                validation(
                    "rakenne.duplikaattiOsasuoritus",
                    f"Osasuoritus {tunniste['koodiarvo']} esiintyy useammin kuin kerran",
                )
            ]
        seen.add(key)
    return []


def forbidden_lisatiedot(oo: Oo) -> list[KoskiError]:
    """Maksuttomuus and a JOTPA asianumero do not apply to vapaatavoitteinen koulutus."""
    extra = oo.get("lisätiedot", {})
    if "maksuttomuus" in extra or "oikeuttaMaksuttomuuteenPidennetty" in extra:
        return [
            validation(
                "maksuttomuus.eiKelpoisuutta",
                "Tieto koulutuksen maksuttomuudesta ei ole relevantti tässä opiskeluoikeudessa, sillä koulutus ei siirry KOSKI-järjestelmään oppivelvollisuuden suorittamiseen kelpaavana koulutuksena.",
            )
        ]
    if "jotpaAsianumero" in extra:
        return [
            validation(
                "tila.jotpaAsianumeroAnnettuVaikkeiJotpaRahoitteinen",
                "Opiskeluoikeudelle ei voi asettaa JOTPA-asianumeroa, jos sillä ei ole jatkuvan oppimisen rahoitusta",
            )
        ]
    return []


# V1–V3 run for source systems (they always send lähdejärjestelmänId); all are skipped for a
# mitätöinti, which is checked only for its date.
RULES: Final[tuple[Rule, ...]] = (
    g1_one_terminal_jakso,
    g2_jakso_order,
    g4_dates,
    g3_vahvistus_not_after_end,
    v1_vahvistus_matches_tila,
    v2_an_assessed_osasuoritus,
    v3_opintokokonaisuus,
    g5_laajuus_sums,
    g6_no_unfinished_under_finished,
    g7_finished_has_osasuoritukset,
    g8_no_duplicate_osasuoritus,
    forbidden_lisatiedot,
)


def validate(oo: Oo) -> list[KoskiError]:
    """Every rule's errors, in KOSKI's order of checking."""
    return [error for rule in RULES for error in rule(oo)]


def _all_osasuoritukset(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield item
        yield from _all_osasuoritukset(item.get("osasuoritukset", []))
