"""An independent KOSKI stand-in, served on loopback, for the record's scripted lifecycle.

Written from the reference (``shared/reference/koski.md``), not from ``sandbox/koski``, so a
rule both got wrong the same way cannot pass unseen. It knows only what the lifecycle needs:
``PUT /koski/api/oppija`` (an update found by oid or by lähdejärjestelmänId, the VST rules V1
and V2, vahvistus no later than the jakso (G3), a confirmed record's extents (G5), the
oppilaitos kept on update (G11), the duplicate rule (G9), a revoked consent (G12), mitätöinti
as a delete) and ``GET /koski/api/opiskeluoikeus/{oid}``. It remembers every PUT it was sent
and whether that PUT changed what it holds.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import itertools
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

USER: Final = "standin"
PASSWORD: Final = "standin-password"
_TERMINAL: Final = ("hyvaksytystisuoritettu", "keskeytynyt")
_V1: Final = "badRequest.validation.tila.vapaanSivistystyönVapaatavoitteeisenKoulutuksenVahvistus"
_V2: Final = (
    "badRequest.validation.tila."
    "vapaanSivistystyönVapaatavoitteisenKoulutuksenPäätasonOsasuoritukset"
)
_V3: Final = "badRequest.validation.vapaasivistystyo.puuttuvaOpintokokonaisuusDeadline"
_NOT_FOUND: Final = "notFound.opiskeluoikeuttaEiLöydyTaiEiOikeuksia"


@dataclass(frozen=True)
class Put:
    """One PUT as the stand-in saw it: the answer's status and first key, the record's oid
    (if one was stored or hit), whether the PUT changed what KOSKI holds, the day it came
    on and the day its record's first jakso is dated."""

    status: int
    key: str
    oid: str | None
    changed: bool
    received_on: dt.date
    dated: dt.date


class Refused(Exception):
    """A KOSKI error answer: the status and the key (the message is the key's own words)."""

    def __init__(self, status: int, key: str, message: str = "") -> None:
        super().__init__(key)
        self.status, self.key, self.message = status, key, message or key


@dataclass
class _Stored:
    person: str  # the hetu the record belongs to
    henkilo: dict[str, Any]
    record: dict[str, Any]  # the opiskeluoikeus without oid and versionumero
    version: int


class KoskiStandIn:
    """What KOSKI holds, what it was sent, and a citizen's revocation in Oma Opintopolku."""

    def __init__(self, today: Callable[[], dt.date]) -> None:
        self.today = today
        self.puts: list[Put] = []
        self._stored: dict[str, _Stored] = {}
        self._revoked: set[tuple[str, str]] = set()
        self._oids = itertools.count(10000000001)
        self._lock = threading.Lock()

    def records(self) -> dict[str, dict[str, Any]]:
        """Every record KOSKI holds, by oid: the opiskeluoikeus as sent, with its person as
        last sent under ``henkilö``."""
        with self._lock:
            return {
                oid: {"henkilö": dict(s.henkilo), **copy.deepcopy(s.record)}
                for oid, s in self._stored.items()
            }

    def revoke_in_oma_opintopolku(self, oid: str) -> None:
        """The citizen revokes: KOSKI deletes the record at once, and refuses its
        lähdejärjestelmänId for good (403 ``forbidden.suostumusPeruttu``)."""
        with self._lock:
            stored = self._stored.pop(oid)
            self._revoked.add(_source_key(stored.record))

    def put(self, document: dict[str, Any]) -> dict[str, Any]:
        """``PUT /api/oppija``: the answer's body; raises :class:`Refused`."""
        henkilo = document["henkilö"]
        [record] = document["opiskeluoikeudet"]
        seen = self.today(), dt.date.fromisoformat(_jaksot(record)[0]["alku"])
        with self._lock:
            try:
                oid, changed, version = self._put(henkilo, record)
            except Refused as refused:
                self.puts.append(Put(refused.status, refused.key, record.get("oid"), False, *seen))
                raise
            self.puts.append(Put(200, "", oid, changed, *seen))
        return {
            "henkilö": {"oid": _person_oid(henkilo["hetu"])},
            "opiskeluoikeudet": [
                {
                    "oid": oid,
                    "versionumero": version,
                    "lähdejärjestelmänId": record["lähdejärjestelmänId"],
                }
            ],
        }

    def get(self, oid: str) -> dict[str, Any]:
        """``GET /api/opiskeluoikeus/{oid}``; raises :class:`Refused` (404) once it is gone."""
        with self._lock:
            stored = self._stored.get(oid)
            if stored is None:
                raise Refused(404, _NOT_FOUND)
            return {**copy.deepcopy(stored.record), "oid": oid, "versionumero": stored.version}

    def _put(self, henkilo: dict[str, Any], record: dict[str, Any]) -> tuple[str, bool, int]:
        """Store ``record``: its oid, whether anything changed, and its version."""
        if _source_key(record) in self._revoked:  # G12
            raise Refused(403, "forbidden.suostumusPeruttu")
        oid = self._identify(henkilo["hetu"], record)
        content = {k: v for k, v in record.items() if k not in {"oid", "versionumero"}}
        if _jaksot(record)[-1]["tila"]["koodiarvo"] == "mitatoity":
            return self._invalidate(oid, record)
        _validate(content)
        self._refuse_duplicate(henkilo["hetu"], oid, content)
        if oid is None:
            oid = f"1.2.246.562.15.{next(self._oids)}"
            self._stored[oid] = _Stored(henkilo["hetu"], dict(henkilo), content, 1)
            return oid, True, 1
        old = self._stored[oid]
        _check_update(old, record)
        if old.record == content and old.henkilo == henkilo:
            return oid, False, old.version  # an unchanged PUT keeps the version
        self._stored[oid] = _Stored(old.person, dict(henkilo), content, old.version + 1)
        return oid, True, old.version + 1

    def _identify(self, hetu: str, record: dict[str, Any]) -> str | None:
        """Which stored record ``record`` updates (§4.1): by oid, else by lähdejärjestelmänId
        for the same person and oppilaitos; None for a new one."""
        if "oid" in record:
            if record["oid"] not in self._stored:
                raise Refused(404, _NOT_FOUND)
            return str(record["oid"])
        key = _source_key(record)
        return next(
            (
                oid
                for oid, s in self._stored.items()
                if s.person == hetu
                and _source_key(s.record) == key
                and s.record["oppilaitos"] == record["oppilaitos"]
            ),
            None,
        )

    def _invalidate(self, oid: str | None, record: dict[str, Any]) -> tuple[str, bool, int]:
        """Mitätöinti (§4.4): for this type a physical delete; nothing else is read."""
        if _jaksot(record)[-1]["alku"] > self.today().isoformat():
            raise Refused(400, "badRequest.validation.tila.mitätöintiTulevaisuudessa")
        if oid is None:
            raise Refused(
                400, "badRequest.validation.tila.uudenOpiskeluoikeudenTallennusMitäöitynäEiSallittu"
            )
        deleted = self._stored.pop(oid)
        return oid, True, deleted.version + 1

    def _refuse_duplicate(self, hetu: str, oid: str | None, record: dict[str, Any]) -> None:
        """G9: another record of the person, same oppilaitos and opintokokonaisuus, same day."""
        for other_oid, other in self._stored.items():
            if (
                other_oid != oid
                and other.person == hetu
                and _source_key(other.record) != _source_key(record)
                and other.record["oppilaitos"] == record["oppilaitos"]
                and _opintokokonaisuus(other.record) == _opintokokonaisuus(record)
                and _jaksot(other.record)[0]["alku"] == _jaksot(record)[0]["alku"]
            ):
                raise Refused(409, "conflict.exists")


def _validate(record: dict[str, Any]) -> None:
    """The rules of §2 a source system's record meets, or the first it breaks."""
    if len(_jaksot(record)) != 1:  # G1: one terminal jakso (a mitätöinti is read before)
        raise Refused(400, "badRequest.validation.tila.montaPäättävääTilaa")
    [jakso] = _jaksot(record)
    state = jakso["tila"]["koodiarvo"]
    [suoritus] = record["suoritukset"]
    vahvistus = suoritus.get("vahvistus")
    if state not in _TERMINAL:
        raise Refused(400, "badRequest.validation.jsonSchema")
    if _opintokokonaisuus(record) is None:  # V3
        raise Refused(
            400, "badRequest.validation.vapaasivistystyo.puuttuvaOpintokokonaisuusDeadline"
        )
    if (vahvistus is None) == (state == "hyvaksytystisuoritettu"):  # V1
        raise Refused(400, _V1)
    if not any(o.get("arviointi") is not None for o in suoritus.get("osasuoritukset", [])):
        raise Refused(400, _V2)
    if vahvistus is not None and vahvistus["päivä"] > jakso["alku"]:  # G3
        raise Refused(400, "badRequest.validation.date.päättymispäiväEnnenVahvistusta")
    if vahvistus is not None and not _extents_add_up(suoritus):  # G5
        raise Refused(400, "badRequest.validation.laajuudet.osasuoritustenLaajuuksienSumma")


def _extents_add_up(suoritus: dict[str, Any]) -> bool:
    laajuus = suoritus["koulutusmoduuli"].get("laajuus")
    parts = [o["koulutusmoduuli"]["laajuus"]["arvo"] for o in suoritus.get("osasuoritukset", [])]
    return laajuus is None or not parts or abs(sum(parts) - laajuus["arvo"]) < 0.001


def _check_update(old: _Stored, record: dict[str, Any]) -> None:
    """G11 and the version rule: an update keeps its oppilaitos and names the stored version."""
    if old.record["oppilaitos"] != record["oppilaitos"]:
        raise Refused(400, "badRequest.validation.organisaatio.oppilaitoksenVaihto")
    if "versionumero" in record and record["versionumero"] != old.version:
        raise Refused(409, "conflict.versionumero")


def _jaksot(record: dict[str, Any]) -> list[dict[str, Any]]:
    jaksot: list[dict[str, Any]] = record["tila"]["opiskeluoikeusjaksot"]
    return jaksot


def _opintokokonaisuus(record: dict[str, Any]) -> str | None:
    moduuli = record["suoritukset"][0]["koulutusmoduuli"]
    koodi = moduuli.get("opintokokonaisuus")
    return None if koodi is None else str(koodi["koodiarvo"])


def _source_key(record: dict[str, Any]) -> tuple[str, str]:
    """G12 matches a lähdejärjestelmänId on its id and its system's code only."""
    source = record["lähdejärjestelmänId"]
    return source["id"], source["lähdejärjestelmä"]["koodiarvo"]


def _person_oid(hetu: str) -> str:
    """A person oid of node 24 for ``hetu``, the same every time."""
    return f"1.2.246.562.24.{int.from_bytes(hetu.encode()) % 10**11:011d}"


def _answer(status: int, body: Any) -> Response:
    text = json.dumps(body, ensure_ascii=False)
    return Response(text, status, content_type="application/json; charset=utf-8")


def _error(refused: Refused) -> Response:
    return _answer(refused.status, [{"key": refused.key, "message": refused.message}])


def _authorised(request: Request) -> bool:
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    return request.headers.get("Authorization") == expected


def _app(koski: KoskiStandIn) -> Callable[..., Any]:
    """The WSGI app: the two calls of §4.1 the client makes, behind Basic auth."""

    @Request.application
    def app(request: Request) -> Response:
        if not _authorised(request):
            return _error(Refused(401, "unauthorized.notAuthenticated"))
        try:
            return _route(koski, request)
        except Refused as refused:
            return _error(refused)

    return app


def _route(koski: KoskiStandIn, request: Request) -> Response:
    path, method = request.path, request.method
    if method == "PUT" and path == "/koski/api/oppija":
        if request.mimetype != "application/json" or request.mimetype_params.get(
            "charset", ""
        ).lower() not in {"utf-8"}:
            raise Refused(415, "unsupportedMediaType.jsonOnly")
        return _answer(200, koski.put(json.loads(request.get_data())))
    prefix = "/koski/api/opiskeluoikeus/"
    if method == "GET" and path.startswith(prefix):
        return _answer(200, koski.get(path.removeprefix(prefix)))
    raise Refused(404, "notFound")


class _QuietHandler(WSGIRequestHandler):
    """No access log line on stderr for every request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@contextmanager
def running_standin(today: Callable[[], dt.date]) -> Iterator[tuple[KoskiStandIn, str]]:
    """Serve a stand-in in a thread until the block ends: it and its KOSKI_URL."""
    koski = KoskiStandIn(today)
    server = make_server("127.0.0.1", 0, _app(koski), threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield koski, f"http://127.0.0.1:{server.server_port}/koski"
    finally:
        server.shutdown()
        thread.join()
