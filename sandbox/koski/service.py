"""What the sandbox does with a request: the source-system rules, identification, versions,
mitätöinti, revocation, as KOSKI's source-system API documents them."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from stdnum import exceptions as stdnum_errors
from stdnum.fi import hetu as stdnum_hetu

from sandbox.koski import rules
from sandbox.koski.errors import KoskiError, KoskiFailure, validation
from sandbox.koski.store import Store, StoredOo, new_oo_oid
from sandbox.koski.structure import check_structure

REVOKED = "suostumus peruttu"
INVALIDATED = "mitätöity"


def forbidden(key: str, message: str) -> KoskiFailure:
    """A 403 under ``forbidden.<key>``."""
    return KoskiFailure(KoskiError(403, f"forbidden.{key}", message))


def not_found(key: str, message: str) -> KoskiFailure:
    """A 404 under ``notFound.<key>``."""
    return KoskiFailure(KoskiError(404, f"notFound.{key}", message))


def conflict(key: str, message: str) -> KoskiFailure:
    """A 409 under ``conflict.<key>``."""
    return KoskiFailure(KoskiError(409, f"conflict.{key}", message))


NO_SUCH_OO = (
    "opiskeluoikeuttaEiLöydyTaiEiOikeuksia",
    "Opiskeluoikeutta ei löydy annetulla oid:llä tai käyttäjällä ei ole siihen oikeuksia",
)


class Sandbox:
    """The KOSKI operations, over a :class:`Store`."""

    def __init__(self, store: Store, accept_synthetic_hetus: bool = False) -> None:
        self._store = store
        self._accept_synthetic = accept_synthetic_hetus

    def put_oppija(self, document: Any, today: dt.date) -> dict[str, Any]:
        """``PUT /koski/api/oppija``: create or update each opiskeluoikeus, or change nothing."""
        check_structure(document)
        with self._store.transaction() as store:
            person_oid = self._person(store, document["henkilö"], today)
            saved = [
                self._put_one(store, person_oid, oo, today) for oo in document["opiskeluoikeudet"]
            ]
        return {"henkilö": {"oid": person_oid}, "opiskeluoikeudet": saved}

    def add_person(self, first_names: str, last_name: str) -> str:
        """A person without a hetu, known from now on by the oid returned (what an official
        does in oppijanumerorekisteri; KOSKI itself has no such call)."""
        with self._store.transaction() as store:
            return store.new_person(first_names, last_name)

    def get(self, oid: str) -> dict[str, Any]:
        """``GET /koski/api/opiskeluoikeus/{oid}``."""
        with self._store.transaction() as store:
            found = store.by_oid(oid)
        if found is None:
            raise not_found(*NO_SUCH_OO)
        return {**found.data, "oid": found.oid, "versionumero": found.versionumero}

    def listing(self) -> dict[str, Any]:
        """Everything stored, for people trying the sandbox: live study rights and tombstones."""
        with self._store.transaction() as store:
            live = [
                {
                    "oid": oo.oid,
                    "henkilö": {"oid": oo.person_oid},
                    "versionumero": oo.versionumero,
                    **oo.data,
                }
                for oo in store.live()
            ]
            return {"opiskeluoikeudet": live, "poistetut": store.tombstones()}

    def delete(self, oid: str) -> None:
        """``DELETE /koski/api/opiskeluoikeus/{oid}``: mitätöinti, a physical delete for this type."""
        self._remove(oid, INVALIDATED)

    def revoke_consent(self, oid: str) -> None:
        """What a citizen's revocation in Oma Opintopolku does: delete, and refuse a resend."""
        self._remove(oid, REVOKED)

    def _remove(self, oid: str, reason: str) -> None:
        with self._store.transaction() as store:
            found = store.by_oid(oid)
            if found is None:
                raise not_found(*NO_SUCH_OO)
            store.delete(found, reason)

    def _person(self, store: Store, person: dict[str, str], today: dt.date) -> str:
        if "oid" in person:
            if not store.person_exists(person["oid"]):
                raise not_found("oppijaaEiLöydy", "Oppijaa ei löydy annetulla oidilla")
            return person["oid"]
        hetu = self._valid_hetu(person["hetu"], today)
        return store.person_for_hetu(hetu, person["etunimet"], person["sukunimi"])

    def _valid_hetu(self, hetu: str, today: dt.date) -> str:
        """KOSKI's hetu checks; the messages never quote the number."""
        try:
            stdnum_hetu.validate(hetu, allow_temporary=True)
        except stdnum_errors.InvalidChecksum:
            raise _hetu_error("Virheellinen tarkistusmerkki") from None
        except stdnum_errors.ValidationError:
            raise _hetu_error("Virheellinen muoto hetulla") from None
        if hetu != hetu.upper() or hetu != hetu.strip():
            raise _hetu_error("Virheellinen muoto hetulla")
        if int(hetu[7:10]) >= 900 and not self._accept_synthetic:
            raise _hetu_error("Keinotekoinen henkilötunnus")
        if _birth_date(hetu) >= today:
            raise _hetu_error("Syntymäpäivä on tulevaisuudessa")
        return hetu

    def _put_one(
        self, store: Store, person_oid: str, oo: dict[str, Any], today: dt.date
    ) -> dict[str, Any]:
        source = _source_system_rules(store, oo)
        oppilaitos = oo.get("oppilaitos", {}).get("oid") or rules.pts(oo)["toimipiste"]["oid"]
        existing = _identify(store, person_oid, oo, source, oppilaitos)
        if rules.jaksot(oo)[-1][1] == "mitatoity":
            return _invalidate(store, existing, oo, today)
        _check_version(existing, oo)
        if existing is not None and existing.oppilaitos != oppilaitos:
            raise KoskiFailure(
                validation(
                    "organisaatio.oppilaitoksenVaihto",
                    "Opiskeluoikeuden oppilaitosta ei voi vaihtaa",
                )
            )
        errors = rules.validate(oo)
        if errors:
            raise KoskiFailure(*errors)
        candidate = _candidate(existing, person_oid, oo, source, oppilaitos)
        if store.overlapping(candidate):
            raise conflict("exists", "Vastaava opiskeluoikeus on jo olemassa.")
        store.save(candidate)
        return _saved(candidate)


def _source_system_rules(store: Store, oo: dict[str, Any]) -> tuple[str, str]:
    """A service user must send lähdejärjestelmänId, may not cut it, and G12."""
    if "lähdejärjestelmäkytkentäPurettu" in oo:
        raise forbidden(
            "lähdejärjestelmäkytkennänPurkaminenEiSallittu",
            "Lähdejärjestelmäkytkennän purkaminen ei ole sallittu",
        )
    source = oo.get("lähdejärjestelmänId")
    if source is None or "id" not in source:
        raise forbidden(
            "lähdejärjestelmäIdPuuttuu",
            "Käyttäjä on palvelukäyttäjä mutta lähdejärjestelmää ei ole määritelty",
        )
    source_id, system = source["id"], source["lähdejärjestelmä"]["koodiarvo"]
    if store.consent_revoked(source_id, system):
        raise forbidden(
            "suostumusPeruttu",
            "Siirretyn opiskeluoikeuden tallentamisen suostumus on aikaisemmin peruttu. Samaa opiskeluoikeutta ei voi siirtää uudestaan",
        )
    return source_id, system


def _identify(
    store: Store, person_oid: str, oo: dict[str, Any], source: tuple[str, str], oppilaitos: str
) -> StoredOo | None:
    """The stored study right a PUT means: by oid if given, else by lähdejärjestelmänId
    and oppilaitos."""
    if "oid" in oo:
        found = store.by_oid(oo["oid"])
        if found is None or found.person_oid != person_oid:
            raise not_found(*NO_SUCH_OO)
        return found
    matches = store.by_source(person_oid, source[0], source[1], oppilaitos)
    if len(matches) > 1:
        raise conflict("löytyiEnemmänKuinYksiRivi", "Löytyi enemmän kuin yksi rivi")
    return matches[0] if matches else None


def _invalidate(
    store: Store, existing: StoredOo | None, oo: dict[str, Any], today: dt.date
) -> dict[str, Any]:
    """A mitätöinti sent by PUT: only the date is checked; the study right is deleted
    physically."""
    if existing is None:
        raise KoskiFailure(
            validation(
                "tila.uudenOpiskeluoikeudenTallennusMitäöitynäEiSallittu",
                "Uutta opiskeluoikeutta ei voi tallentaa mitätöitynä",
            )
        )
    if rules.jaksot(oo)[-1][0] > today:
        raise KoskiFailure(
            validation("tila.mitätöintiTulevaisuudessa", "Mitätöintiä ei voi tehdä tulevaisuuteen")
        )
    store.delete(existing, INVALIDATED)
    return _saved(replace(existing, versionumero=existing.versionumero + 1))


def _check_version(existing: StoredOo | None, oo: dict[str, Any]) -> None:
    sent = oo.get("versionumero")
    expected = 1 if existing is None else existing.versionumero
    if sent is not None and sent != expected:
        raise conflict(
            "versionumero", f"Annettu versionumero {sent} ei vastaa viimeisintä versiota {expected}"
        )


_IGNORED = (
    "oid",
    "versionumero",
    "alkamispäivä",
    "päättymispäivä",
    "aikaleima",
    "organisaatiohistoria",
    "koulutustoimija",
)


def _candidate(
    existing: StoredOo | None,
    person_oid: str,
    oo: dict[str, Any],
    source: tuple[str, str],
    oppilaitos: str,
) -> StoredOo:
    """The record to store: same version if nothing changed, else the next one."""
    data = {k: v for k, v in oo.items() if k not in _IGNORED}
    module = rules.pts(oo)["koulutusmoduuli"]
    opintokokonaisuus = module.get("opintokokonaisuus", {}).get("koodiarvo")
    alku = rules.jaksot(oo)[0][0].isoformat()
    if existing is None:
        return StoredOo(
            new_oo_oid(),
            person_oid,
            source[0],
            source[1],
            oppilaitos,
            opintokokonaisuus,
            alku,
            1,
            data,
        )
    version = existing.versionumero if existing.data == data else existing.versionumero + 1
    return replace(
        existing, opintokokonaisuus=opintokokonaisuus, alku=alku, versionumero=version, data=data
    )


def _saved(oo: StoredOo) -> dict[str, Any]:
    return {
        "oid": oo.oid,
        "versionumero": oo.versionumero,
        "lähdejärjestelmänId": {
            "id": oo.source_id,
            "lähdejärjestelmä": {"koodiarvo": oo.source_system, "koodistoUri": "lahdejarjestelma"},
        },
    }


def _hetu_error(message: str) -> KoskiFailure:
    return KoskiFailure(validation("henkilötiedot.hetu", message))


def _birth_date(hetu: str) -> dt.date:
    century = {"+": 1800, "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000}.get(
        hetu[6], 1900
    )
    return dt.date(century + int(hetu[4:6]), int(hetu[2:4]), int(hetu[0:2]))
