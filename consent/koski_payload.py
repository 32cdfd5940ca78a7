"""Build the KOSKI document for one result. Pure.

One opiskeluoikeus of type ``vapaansivistystyonkoulutus`` with one päätason suoritus
``vstvapaatavoitteinenkoulutus``; one jakso on the course end date: hyväksytysti
suoritettu **with** a vahvistus, or keskeytynyt **without**; the course's parts as
osasuoritukset (the course itself when it has none).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from consent.courses import Course, CoursePart, GradingScale
from consent.model import Person
from consent.results import FAILED, PASSED, ResultStatus


@dataclass(frozen=True)
class GradedResult:
    """What was graded, as the ledger holds it."""

    grade: str | None
    graded_on: dt.date
    status: ResultStatus
    part_grades: dict[str, str]


@dataclass(frozen=True)
class StudyRight:
    """How the record is known to KOSKI: our lähdejärjestelmänId and, once sent, KOSKI's oid."""

    source_id: str
    source_system: str
    oid: str | None = None


def build_payload(
    course: Course,
    person: Person,
    result: GradedResult,
    right: StudyRight,
    *,
    invalidated_on: dt.date | None = None,
) -> dict[str, Any]:
    """The ``PUT /api/oppija`` body; with ``invalidated_on``, the mitätöinti of the record."""
    jaksot = [_jakso(course.end_date, _final_state(result))]
    if invalidated_on is not None:
        jaksot.append(_jakso(invalidated_on, "mitatoity"))
    opiskeluoikeus: dict[str, Any] = {
        "tyyppi": _koodi("vapaansivistystyonkoulutus", "opiskeluoikeudentyyppi"),
        "lähdejärjestelmänId": {
            "id": right.source_id,
            "lähdejärjestelmä": _koodi(right.source_system, "lahdejarjestelma"),
        },
        "oppilaitos": {"oid": course.oppilaitos_oid},
        "tila": {"opiskeluoikeusjaksot": jaksot},
        "suoritukset": [_suoritus(course, result)],
    }
    if right.oid is not None:
        opiskeluoikeus["oid"] = right.oid
    member = {
        "hetu": person.hetu.reveal(),
        "etunimet": person.first_names,
        "sukunimi": person.last_name,
    }
    return {"henkilö": member, "opiskeluoikeudet": [opiskeluoikeus]}


def payload_hash(payload: dict[str, Any]) -> str:
    """A stable digest of what a payload says, to resend only on change.

    KOSKI's oid is left out: the first send has none and every later one carries it, yet
    both say the same.
    """
    content = {
        **payload,
        "opiskeluoikeudet": [
            {key: value for key, value in oo.items() if key != "oid"}
            for oo in payload["opiskeluoikeudet"]
        ],
    }
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def _final_state(result: GradedResult) -> str:
    return "keskeytynyt" if result.status is ResultStatus.INTERRUPTED else "hyvaksytystisuoritettu"


def _suoritus(course: Course, result: GradedResult) -> dict[str, Any]:
    suoritus: dict[str, Any] = {
        "tyyppi": _koodi("vstvapaatavoitteinenkoulutus", "suorituksentyyppi"),
        "koulutusmoduuli": {
            "tunniste": _koodi("099999", "koulutus"),
            "laajuus": _laajuus(course.laajuus_op),
            "opintokokonaisuus": _koodi(course.opintokokonaisuus, "opintokokonaisuudet"),
        },
        "toimipiste": {"oid": course.toimipiste_oid or course.oppilaitos_oid},
        "suorituskieli": _koodi(course.language, "kieli"),
        "osasuoritukset": [_osasuoritus(course, part, result) for part in course.effective_parts],
    }
    if result.status is ResultStatus.COMPLETED:
        suoritus["vahvistus"] = {
            "päivä": min(result.graded_on, course.end_date).isoformat(),
            "myöntäjäOrganisaatio": {"oid": course.oppilaitos_oid},
            "myöntäjäHenkilöt": [
                {
                    "nimi": course.confirmer_name,
                    "titteli": {"fi": course.confirmer_title},
                    "organisaatio": {"oid": course.oppilaitos_oid},
                }
            ],
        }
    return suoritus


def _osasuoritus(course: Course, part: CoursePart, result: GradedResult) -> dict[str, Any]:
    name = course.name if part.code == course.code and not course.parts else {"fi": part.name}
    osasuoritus: dict[str, Any] = {
        "tyyppi": _koodi("vstvapaatavoitteisenkoulutuksenosasuoritus", "suorituksentyyppi"),
        "koulutusmoduuli": {
            "tunniste": {"koodiarvo": part.code, "nimi": dict(name)},
            "kuvaus": {"fi": part.description or part.name},
            "laajuus": _laajuus(part.laajuus_op),
        },
    }
    grade = result.part_grades.get(part.code)
    if grade is None and result.status is ResultStatus.COMPLETED:
        grade = result.grade
    if grade is not None:
        osasuoritus["arviointi"] = [
            {
                "arvosana": _arvosana(grade, course.grading_scale),
                "päivä": result.graded_on.isoformat(),
            }
        ]
    return osasuoritus


def _arvosana(grade: str, scale: GradingScale) -> dict[str, str]:
    if grade in (PASSED, FAILED) or scale is GradingScale.HYVAKSYTTY_HYLATTY:
        return _koodi(grade, "arviointiasteikkovst")
    return _koodi(grade, "arviointiasteikkovstvapaatavoitteinen")


def _jakso(day: dt.date, state: str) -> dict[str, Any]:
    return {"alku": day.isoformat(), "tila": _koodi(state, "koskiopiskeluoikeudentila")}


def _laajuus(extent: Decimal) -> dict[str, Any]:
    return {"arvo": float(extent), "yksikkö": _koodi("2", "opintojenlaajuusyksikko")}


def _koodi(value: str, koodisto: str) -> dict[str, str]:
    return {"koodiarvo": value, "koodistoUri": koodisto}
