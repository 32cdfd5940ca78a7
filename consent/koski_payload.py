"""Build the KOSKI document for one result. Pure.

One opiskeluoikeus of type ``vapaansivistystyonkoulutus`` with one päätason suoritus
``vstvapaatavoitteinenkoulutus``; one jakso on the day the participant ended: hyväksytysti
suoritettu **with** a vahvistus, or keskeytynyt **without**; the passed parts as
osasuoritukset (the course itself when it has none). What the record carries is decided by
:func:`consent.record_rules.carried`, never here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from consent.courses import Course, CoursePart, GradingScale
from consent.errors import NothingToSend
from consent.model import Participant, Person
from consent.record_rules import Record, RecordState, carried, ended_on_of
from consent.results import FAILED, PASSED, GradedResult


@dataclass(frozen=True)
class StudyRight:
    """How the record is known to KOSKI: our lähdejärjestelmänId and, once sent, KOSKI's oid."""

    source_id: str
    source_system: str
    oid: str | None = None


def build_payload(
    course: Course,
    person: Participant,
    result: GradedResult,
    right: StudyRight,
    *,
    invalidated_on: dt.date | None = None,
) -> dict[str, Any]:
    """The ``PUT /api/oppija`` body; with ``invalidated_on``, the mitätöinti of the record.

    Raises :class:`NothingToSend` for a result whose record carries nothing (binding keeps
    such a result from being sent). A mitätöinti is built whatever the result says now:
    KOSKI keeps the stored record and only adds the ``mitatoity`` jakso to it.
    """
    record = _record(course, result, invalidating=invalidated_on is not None)
    jaksot = [_jakso(record.ended_on, record.state.value)]
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
        "suoritukset": [_suoritus(course, record, result.graded_on)],
    }
    if right.oid is not None:
        opiskeluoikeus["oid"] = right.oid
    return {"henkilö": henkilo(person), "opiskeluoikeudet": [opiskeluoikeus]}


def henkilo(person: Participant) -> dict[str, str]:
    """The person as KOSKI takes them (reference/koski.md §1.8): a new person by hetu and
    names (KOSKI finds or creates them), or one without a hetu by oppijanumero alone, which
    KOSKI already knows, names and all."""
    if not isinstance(person, Person):
        return {"oid": person.oid.reveal()}
    return {
        "hetu": person.hetu.reveal(),
        "etunimet": person.first_names,
        "sukunimi": person.last_name,
    }


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


def _record(course: Course, result: GradedResult, *, invalidating: bool) -> Record:
    """What the record carries; for a mitätöinti of a result that carries nothing now, the
    bare record (interrupted, no part assessed), which KOSKI ignores but for its identity."""
    record = carried(course, result)
    if isinstance(record, Record):
        return record
    if not invalidating:
        raise NothingToSend(record.reason)
    return Record(RecordState.INTERRUPTED, (), ended_on_of(course, result), None)


def _suoritus(course: Course, record: Record, graded_on: dt.date) -> dict[str, Any]:
    suoritus: dict[str, Any] = {
        "tyyppi": _koodi("vstvapaatavoitteinenkoulutus", "suorituksentyyppi"),
        "koulutusmoduuli": {
            "tunniste": _koodi("099999", "koulutus"),
            "laajuus": _laajuus(course.laajuus_op),
            "opintokokonaisuus": _koodi(course.opintokokonaisuus, "opintokokonaisuudet"),
        },
        "toimipiste": {"oid": course.toimipiste_oid or course.oppilaitos_oid},
        "suorituskieli": _koodi(course.language, "kieli"),
        "osasuoritukset": _osasuoritukset(course, record, graded_on),
    }
    if record.confirmed_on is not None:
        suoritus["vahvistus"] = {
            "päivä": record.confirmed_on.isoformat(),
            "myöntäjäOrganisaatio": {"oid": course.oppilaitos_oid},
            "myöntäjäHenkilöt": [
                {
                    "nimi": course.confirmer_name,
                    "titteli": tagged(course, course.confirmer_title),
                    "organisaatio": {"oid": course.oppilaitos_oid},
                }
            ],
        }
    return suoritus


def _osasuoritukset(course: Course, record: Record, graded_on: dt.date) -> list[dict[str, Any]]:
    """The passed parts, assessed; a bare record's are the course's parts, unassessed."""
    if record.parts:
        return [_osasuoritus(course, p.part, p.grade, graded_on) for p in record.parts]
    return [_osasuoritus(course, part, None, graded_on) for part in course.effective_parts]


def _osasuoritus(
    course: Course, part: CoursePart, grade: str | None, graded_on: dt.date
) -> dict[str, Any]:
    """A part; assessed (with ``grade`` on ``graded_on``) unless ``grade`` is None. A course
    that is its own part is named in every language it has a name in; a part staff defined
    has one name and description, written in the course's language and tagged so."""
    own_part = part.code == course.code and not course.parts
    name = dict(course.name) if own_part else tagged(course, part.name)
    kuvaus = _own_kuvaus(course) if own_part else tagged(course, part.description or part.name)
    osasuoritus: dict[str, Any] = {
        "tyyppi": _koodi("vstvapaatavoitteisenkoulutuksenosasuoritus", "suorituksentyyppi"),
        "koulutusmoduuli": {
            "tunniste": {"koodiarvo": part.code, "nimi": name},
            "kuvaus": kuvaus,
            "laajuus": _laajuus(part.laajuus_op),
        },
    }
    if grade is not None:
        osasuoritus["arviointi"] = [
            {
                "arvosana": _arvosana(grade, course.grading_scale),
                "päivä": graded_on.isoformat(),
            }
        ]
    return osasuoritus


def tagged(course: Course, words: str) -> dict[str, str]:
    """A LocalizedString of ``words`` written in the course's language (its suorituskieli:
    FI, SV or EN → ``fi``, ``sv``, ``en``): KOSKI takes ``{"sv": …}`` or ``{"en": …}`` alone
    (reference/koski.md §1), so a Swedish course's parts are not passed off as Finnish."""
    return {course.language.lower(): words}


def _own_kuvaus(course: Course) -> dict[str, str]:
    """A course that is its own part is described by its name in its own language, or by its
    Finnish name where it has none in that language (so a Finnish course's stays as sent)."""
    language = course.language.lower()
    if language in course.name:
        return {language: course.name[language]}
    return {"fi": course.name["fi"]}


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
