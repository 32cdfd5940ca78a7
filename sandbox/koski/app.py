"""The sandbox's HTTP face: KOSKI's source-system endpoints plus a few operator endpoints.

KOSKI paths (Basic auth): ``PUT /koski/api/oppija``, ``GET|DELETE
/koski/api/opiskeluoikeus/{oid}``, ``POST /koski/api/opiskeluoikeus/suostumuksenperuutus/{oid}``
(in KOSKI the citizen's own call; here the operator stands in for the citizen).
Operator paths: ``GET /koski/sandbox/opiskeluoikeudet`` (what is stored) and
``PUT|GET /koski/sandbox/faults`` (make the next calls fail: 500, 503, 429, slow, lost response).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from sandbox.koski.errors import KoskiError, KoskiFailure, bad_request
from sandbox.koski.service import Sandbox
from sandbox.koski.store import Store

log = logging.getLogger("vst.koski_sandbox")
FAULTS = ("unavailable", "error", "throttled", "lost", "slow")


class Faults:
    """Failures to inject into the next ``PUT /oppija`` calls, consumed in order."""

    def __init__(self) -> None:
        self._pending: list[str] = []
        self._lock = threading.Lock()

    def replace(self, faults: list[str]) -> None:
        """Plan the next failures: ``unavailable`` (503), ``error`` (500), ``throttled`` (429),
        ``lost`` (stored, then 504), ``slow:<seconds>`` (stored after a wait)."""
        for fault in faults:
            if fault.split(":")[0] not in FAULTS:
                raise KoskiFailure(bad_request("format", f"unknown fault {fault[:40]!r}"))
        with self._lock:
            self._pending = list(faults)

    def take(self) -> str | None:
        """The next planned failure, if any."""
        with self._lock:
            return self._pending.pop(0) if self._pending else None

    def pending(self) -> list[str]:
        """Failures still planned."""
        with self._lock:
            return list(self._pending)


def create_app(
    database: Path | str,
    users: Mapping[str, str],
    *,
    today: Callable[[], dt.date] = dt.date.today,
    accept_synthetic_hetus: bool = False,
) -> Flask:
    """The sandbox app over a SQLite file; ``users`` maps service usernames to passwords."""
    sandbox = Sandbox(Store(database), accept_synthetic_hetus)
    faults = Faults()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 5 * 1024 * 1024

    @app.before_request
    def authenticate() -> ResponseReturnValue | None:
        return _authentication_problem(users)

    @app.errorhandler(KoskiFailure)
    def failure(error: KoskiFailure) -> Response:
        log.info(
            "koski_sandbox.refused status=%s keys=%s",
            error.status,
            ",".join(e.key for e in error.errors),
        )
        return _json(error.body(), error.status)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        return _json(
            [{"key": "notFound" if status == 404 else "badRequest", "message": error.name}], status
        )

    @app.put("/koski/api/oppija")
    def put_oppija() -> ResponseReturnValue:
        document = _json_body()
        fault = faults.take()
        if fault == "unavailable":
            raise KoskiFailure(KoskiError(503, "unavailable", "Palvelu ei ole käytettävissä"))
        if fault == "error":
            raise KoskiFailure(KoskiError(500, "internalError", "Odottamaton virhe"))
        if fault == "throttled":
            raise KoskiFailure(KoskiError(429, "rateLimited", "Liian monta pyyntöä"))
        if fault and fault.startswith("slow"):
            time.sleep(float(fault.partition(":")[2] or 5))
        saved = sandbox.put_oppija(document, today())
        if fault == "lost":  # stored, but the answer never reaches the caller
            return _json([{"key": "unavailable", "message": "yhteys katkesi"}], 504)
        return _json(saved, 200)

    @app.get("/koski/api/opiskeluoikeus/<oid>")
    def get_opiskeluoikeus(oid: str) -> ResponseReturnValue:
        return _json(sandbox.get(oid), 200)

    @app.delete("/koski/api/opiskeluoikeus/<oid>")
    def delete_opiskeluoikeus(oid: str) -> ResponseReturnValue:
        sandbox.delete(oid)
        return _json({}, 200)

    @app.post("/koski/api/opiskeluoikeus/suostumuksenperuutus/<oid>")
    def revoke(oid: str) -> ResponseReturnValue:
        sandbox.revoke_consent(oid)
        return _json({}, 200)

    @app.get("/koski/sandbox/opiskeluoikeudet")
    def stored() -> ResponseReturnValue:
        return _json(sandbox.listing(), 200)

    @app.post("/koski/sandbox/henkilot")
    def add_person() -> ResponseReturnValue:
        body = _json_body(koski_strict=False)
        names = [body.get(k) if isinstance(body, dict) else None for k in ("etunimet", "sukunimi")]
        if not all(isinstance(n, str) and n.strip() for n in names):
            raise KoskiFailure(bad_request("format", 'send {"etunimet": "…", "sukunimi": "…"}'))
        return _json({"oid": sandbox.add_person(str(names[0]), str(names[1]))}, 201)

    @app.put("/koski/sandbox/faults")
    def plan_faults() -> ResponseReturnValue:
        body = _json_body(koski_strict=False)
        planned = body.get("faults") if isinstance(body, dict) else None
        if not isinstance(planned, list) or not all(isinstance(f, str) for f in planned):
            raise KoskiFailure(
                bad_request("format", 'send {"faults": ["unavailable", "error", "lost", "slow:3"]}')
            )
        faults.replace(planned)
        return _json({"faults": faults.pending()}, 200)

    @app.get("/koski/sandbox/faults")
    def show_faults() -> ResponseReturnValue:
        return _json({"faults": faults.pending()}, 200)

    return app


def _json(body: Any, status: int) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )


def _json_body(*, koski_strict: bool = True) -> Any:
    """KOSKI accepts only ``application/json; charset=UTF-8`` bodies that parse.

    The sandbox's own operator endpoints also take JSON without the charset.
    """
    charset = request.mimetype_params.get("charset", "" if koski_strict else "utf-8").lower()
    if request.mimetype != "application/json" or charset != "utf-8":
        raise KoskiFailure(
            KoskiError(
                415,
                "unsupportedMediaType.jsonOnly",
                "Vain application/json;charset=utf-8 -tyyppiset pyynnöt ovat sallittuja",
            )
        )
    try:
        return json.loads(request.get_data().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise KoskiFailure(bad_request("format.json", "Epäkelpo JSON-dokumentti")) from None


def _authentication_problem(users: Mapping[str, str]) -> Response | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        response = _json(
            [{"key": "unauthorized.notAuthenticated", "message": "Käyttäjä ei ole tunnistautunut"}],
            401,
        )
        response.headers["WWW-Authenticate"] = 'Basic realm="KOSKI sandbox"'
        return response
    try:
        username, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        username, password = "", ""
    expected = users.get(username)
    if expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
        return _json(
            [{"key": "unauthorized.loginFail", "message": "Sisäänkirjautuminen epäonnistui"}], 401
        )
    return None
