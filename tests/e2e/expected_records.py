"""The KOSKI records a lifecycle test expects, written out from the KOSKI reference
(opiskeluoikeus, päätason suoritus, osasuoritukset, vahvistus), never built by the code
under test; and what the stand-in holds, in the same shape."""

from __future__ import annotations

from typing import Any

from tests.courses import OPPILAITOS
from tests.koski_standin import KoskiStandIn

# The confirmer of tests.courses.course_doc, and the local source system's code.
CONFIRMER = {"nimi": "Reija Rehtori", "titteli": {"fi": "rehtori"}}
SOURCE_SYSTEM = "vst-consent-sandbox"


def passed_parts(
    parts: tuple[dict[str, Any], ...], which: str, graded_on: str
) -> list[dict[str, Any]]:
    """The osasuoritukset of the passed parts ``which`` (``"13"``: the first and the third),
    each assessed Hyväksytty on ``graded_on``."""
    return [
        {
            "tyyppi": _koodi("vstvapaatavoitteisenkoulutuksenosasuoritus", "suorituksentyyppi"),
            "koulutusmoduuli": {
                "tunniste": {"koodiarvo": part["code"], "nimi": {"fi": part["name"]}},
                "kuvaus": {"fi": part.get("description", part["name"])},
                "laajuus": _op(part["laajuus_op"]),
            },
            "arviointi": [
                {"arvosana": _koodi("Hyväksytty", "arviointiasteikkovst"), "päivä": graded_on}
            ],
        }
        for n, part in enumerate(parts, start=1)
        if str(n) in which
    ]


def expected_record(
    who: dict[str, str],
    opintokokonaisuus: str,
    laajuus_op: float,
    jakso: tuple[str, str],
    osasuoritukset: list[dict[str, Any]],
    vahvistus: str | None = None,
) -> dict[str, Any]:
    """The record of ``who`` KOSKI should hold: ``jakso`` its one jakso's date and state,
    ``vahvistus`` its date (None: none); of the oppilaitos of tests.courses."""
    day, state = jakso
    return {
        "henkilö": {
            "hetu": who["hetu"],
            "etunimet": who["first_names"],
            "sukunimi": who["last_name"],
        },
        "tyyppi": _koodi("vapaansivistystyonkoulutus", "opiskeluoikeudentyyppi"),
        "oppilaitos": {"oid": OPPILAITOS},
        "tila": {"opiskeluoikeusjaksot": [{"alku": day, "tila": _koodi(state, _TILA)}]},
        "suoritukset": [_suoritus(opintokokonaisuus, laajuus_op, osasuoritukset, vahvistus)],
    }


def held_records(koski: KoskiStandIn) -> dict[str, dict[str, Any]]:
    """What the stand-in holds by oid, each record without its lähdejärjestelmänId (checked
    to be of the local source system, and each of its own)."""
    held = koski.records()
    sources = [record.pop("lähdejärjestelmänId") for record in held.values()]
    assert len({s["id"] for s in sources}) == len(sources)
    assert {s["lähdejärjestelmä"]["koodiarvo"] for s in sources} <= {SOURCE_SYSTEM}
    return held


_TILA = "koskiopiskeluoikeudentila"


def _suoritus(
    opintokokonaisuus: str,
    laajuus_op: float,
    osasuoritukset: list[dict[str, Any]],
    vahvistus: str | None,
) -> dict[str, Any]:
    suoritus: dict[str, Any] = {
        "tyyppi": _koodi("vstvapaatavoitteinenkoulutus", "suorituksentyyppi"),
        "koulutusmoduuli": {
            "tunniste": _koodi("099999", "koulutus"),
            "laajuus": _op(laajuus_op),
            "opintokokonaisuus": _koodi(opintokokonaisuus, "opintokokonaisuudet"),
        },
        "toimipiste": {"oid": OPPILAITOS},
        "suorituskieli": _koodi("FI", "kieli"),
        "osasuoritukset": osasuoritukset,
    }
    if vahvistus is not None:
        suoritus["vahvistus"] = {
            "päivä": vahvistus,
            "myöntäjäOrganisaatio": {"oid": OPPILAITOS},
            "myöntäjäHenkilöt": [{**CONFIRMER, "organisaatio": {"oid": OPPILAITOS}}],
        }
    return suoritus


def _koodi(value: str, koodisto: str) -> dict[str, str]:
    return {"koodiarvo": value, "koodistoUri": koodisto}


def _op(arvo: float) -> dict[str, Any]:
    return {"arvo": arvo, "yksikkö": _koodi("2", "opintojenlaajuusyksikko")}
