"""A local Visma Sign (API v1) for the calls the signing connector makes, and a stand-in for
the bank-ID signing page.

API paths (``Authorization: Onnistuu …``; a wrong key, a Date more than 5 minutes off, or a
body that does not match its Content-MD5 answers 401): ``POST /api/v1/document/``,
``POST /api/v1/document/{uuid}/files``, ``POST /api/v1/document/{uuid}/invitations``,
``POST /api/v1/invitation/{uuid}/signature`` (the signing address),
``GET /api/v1/document/{uuid}``, ``GET /api/v1/document/{uuid}/files/{index}``,
``POST /api/v1/document/{uuid}/cancel``, ``DELETE /api/v1/document/{uuid}``.

Signing (a person, or a test, in place of the bank-ID login): ``GET /sandbox/sign/{invitation}``
shows a form, ``POST`` it with the signer's hetu: accepted only when it is the identifier the
invitation names, as Visma Sign refuses anyone else. ``POST /sandbox/decline/{invitation}``
cancels. ``GET /sandbox/documents`` lists everything; ``PUT /sandbox/faults {"slow": [5]}``
holds the next API call 5 seconds (to stop a connector mid-call in a test).
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from html import escape
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode

from flask import Flask, Response, abort, redirect, request
from flask.typing import ResponseReturnValue

from sandbox.vismasign.auth import SCHEME, body_digest, expected_signature
from sandbox.vismasign.store import Store

log = logging.getLogger("vst.vismasign_sandbox")
DATE_TOLERANCE: Final = dt.timedelta(minutes=5)
MAX_PDF: Final = 10 * 1024 * 1024  # Visma Sign's own limit


def create_app(
    database: Path | str,
    clients: Mapping[str, str],
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> Flask:
    """The sandbox over ``database``; ``clients`` maps client identifiers to base64 secrets."""
    store = Store(database)
    keys = dict(clients)
    slow: list[float] = []  # planned delays of the next API calls, in seconds
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_PDF

    @app.before_request
    def authenticate() -> ResponseReturnValue | None:
        if not request.path.startswith("/api/"):
            return None
        reason = _refusal(keys, now())
        if reason is not None:
            log.warning("vismasign_sandbox.refused reason=%s", reason)
            return _json({"error": "unauthorized"}, 401)
        if slow:
            time.sleep(slow.pop(0))  # then handle the call as usual
        return None

    @app.put("/sandbox/faults")
    def plan_faults() -> ResponseReturnValue:
        """``{"slow": [seconds, …]}``: hold each of the next API calls that long."""
        planned = _body().get("slow", [])
        if not isinstance(planned, list) or not all(
            isinstance(s, int | float) and 0 <= s <= 60 for s in planned
        ):
            return _json({"error": 'send {"slow": [seconds, ...]} (0-60 each)'}, 400)
        slow[:] = [float(s) for s in planned]
        return _json({"slow": slow}, 200)

    _api_routes(app, store)
    _signing_routes(app, store, now)
    return app


def _api_routes(app: Flask, store: Store) -> None:
    """Visma Sign's own API, as far as the connector uses it."""

    @app.post("/api/v1/document/")
    def create_document() -> ResponseReturnValue:
        body = _body()
        name = str((body.get("document") or {}).get("name") or "document")[:200]
        document = store.create_document(name)
        response = _json({}, 201)
        response.headers["Location"] = f"{request.host_url}api/v1/document/{document}"
        return response

    @app.post("/api/v1/document/<document>/files")
    def add_file(document: str) -> ResponseReturnValue:
        _document_or_404(store, document)
        content = request.get_data()
        if request.mimetype != "application/pdf" or not content.startswith(b"%PDF-"):
            return _json({"error": "a file must be one PDF"}, 400)
        store.add_file(document, content)
        return _json({}, 201)

    @app.post("/api/v1/document/<document>/invitations")
    def invite(document: str) -> ResponseReturnValue:
        _document_or_404(store, document)
        invitations = _body()
        if not isinstance(invitations, list) or not invitations:
            return _json({"error": "send a list of invitations"}, 400)
        created = [{"uuid": store.invite(document, dict(i)), "passphrase": ""} for i in invitations]
        return _json(created, 201)

    @app.post("/api/v1/invitation/<invitation>/signature")
    def fulfil(invitation: str) -> ResponseReturnValue:
        if store.invitation(invitation) is None:
            abort(404)
        return_url = str(_body().get("returnUrl") or "")[:500]
        response = _json({}, 201)
        query = urlencode({"returnUrl": return_url}) if return_url else ""
        response.headers["Location"] = f"{request.host_url}sandbox/sign/{invitation}?{query}"
        return response

    @app.get("/api/v1/document/<document>")
    def document_status(document: str) -> ResponseReturnValue:
        return _json(_document_or_404(store, document), 200)

    @app.get("/api/v1/document/<document>/files/<int:index>")
    def download(document: str, index: int) -> ResponseReturnValue:
        content = store.file(document, index)
        if content is None:
            abort(404)
        return Response(content, mimetype="application/pdf")

    @app.post("/api/v1/document/<document>/cancel")
    def cancel(document: str) -> ResponseReturnValue:
        _document_or_404(store, document)
        store.cancel(document)
        return _json({}, 200)

    @app.delete("/api/v1/document/<document>")
    def delete(document: str) -> ResponseReturnValue:
        _document_or_404(store, document)
        store.delete(document)
        return _json({}, 200)


def _signing_routes(app: Flask, store: Store, now: Callable[[], dt.datetime]) -> None:
    """The signer's side (bank-ID login and signature) and an operator's listing."""

    @app.route("/sandbox/sign/<invitation>", methods=["GET", "POST"])
    def sign(invitation: str) -> ResponseReturnValue:
        found = store.invitation(invitation)
        if found is None:
            abort(404)
        if found["status"] != "new" or found["document_status"] != "pending":
            return _page(f"Tätä kutsua ei voi enää allekirjoittaa ({found['status']})."), 409
        if request.method == "GET":
            store.set_return_url(invitation, request.args.get("returnUrl", "")[:500])
            return _page(_sign_form(invitation))
        if not hmac.compare_digest(request.form.get("hetu", "").strip(), found["identifier"] or ""):
            return _page("Tunnistettu henkilö ei ole se, jolle kutsu on osoitettu."), 403
        when = now().isoformat(timespec="seconds")
        store.sign(invitation, when, f"\n% vst-sandbox signature {invitation} {when}\n".encode())
        target = store.invitation(invitation) or {}
        if target.get("return_url"):
            return redirect(str(target["return_url"]), 303)
        return _page("Allekirjoitettu.")

    @app.post("/sandbox/decline/<invitation>")
    def decline(invitation: str) -> ResponseReturnValue:
        found = store.invitation(invitation)
        if found is None:
            abort(404)
        store.cancel(found["document"])
        return _page("Allekirjoitus peruttu.")

    @app.get("/sandbox/documents")
    def documents() -> ResponseReturnValue:
        return _json({"documents": store.documents()}, 200)

    @app.get("/sandbox/invitations/<invitation>")
    def invitation_details(invitation: str) -> ResponseReturnValue:
        found = store.invitation(invitation)
        if found is None:
            abort(404)
        return _json({k: found[k] for k in ("uuid", "document", "status", "email", "sms")}, 200)


def _refusal(keys: Mapping[str, str], now: dt.datetime) -> str | None:
    """Why the request's Onnistuu authentication fails, or None when it holds."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    client_id, _, given = credentials.partition(":")
    secret = keys.get(client_id)
    if scheme != SCHEME or secret is None:
        return "unknown_client"
    date = request.headers.get("Date", "")
    try:
        sent = parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return "bad_date"
    if sent.tzinfo is None or abs(now - sent) > DATE_TOLERANCE:
        return "stale_date"
    body = request.get_data()
    if request.headers.get("Content-MD5", "") != body_digest(body):
        return "body_changed"
    content_type = request.headers.get("Content-Type", "")
    path = request.full_path.rstrip("?")
    expected = expected_signature(secret, request.method, body, content_type, date, path)
    if not hmac.compare_digest(given, expected):
        return "bad_signature"
    return None


def _document_or_404(store: Store, document: str) -> dict[str, Any]:
    found = store.document(document)
    if found is None:
        abort(404)
    return found


def _body() -> Any:
    try:
        return json.loads(request.get_data() or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        abort(400)


def _json(value: object, status: int) -> Response:
    return Response(Store.dumps(value), status=status, mimetype="application/json")


def _sign_form(invitation: str) -> str:
    return (
        "<h1>Vahva tunnistautuminen (hiekkalaatikko)</h1>"
        f'<form method="post" action="/sandbox/sign/{escape(invitation)}">'
        '<p><label for="hetu">Henkilötunnus</label> <input id="hetu" name="hetu"></p>'
        "<p><button>Tunnistaudu ja allekirjoita</button></p></form>"
        f'<form method="post" action="/sandbox/decline/{escape(invitation)}">'
        "<p><button>En allekirjoita</button></p></form>"
    )


def _page(body: str) -> Response:
    html = f'<!doctype html><html lang="fi"><meta charset="utf-8"><title>Visma Sign</title>{body}'
    return Response(html, mimetype="text/html")
