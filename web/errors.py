"""The web process's error handlers: the intake's refusals (signature, media type, JSON,
schema, values, storage), HTTP errors from Werkzeug, and the last line of defence, each
answered as RFC 9457 problem details, or as a page under ``/staff``. What a staff action
refuses is answered by its own table, :mod:`web.staff_errors`.

Every rejection is logged with a machine-readable ``reason``; response bodies never echo
the request, and a 401 says nothing about why.
"""

from __future__ import annotations

import logging
from typing import Final

from flask import Flask, Response, current_app, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import ClientDisconnected, HTTPException

from consent.errors import EventSchemaViolation, InvalidEvent
from consent.hetu import redact_hetus
from consent.strict_json import StrictJsonError
from web import staff_pages
from web.intake.signature import SignatureRejected
from web.problems import problem

log = logging.getLogger("vst.webhook")

RETRY_AFTER_SECONDS = "30"
_WEBHOOK_PATH = "/webhooks/signing"
# What a client did to be cut off: each is logged with its reason, and counted on the webhook.
_CLIENT_REFUSALS = {408: "read_timeout", 413: "too_large"}
_INCOMPLETE: Final = "incomplete_body"  # fewer bytes than Content-Length (declared_length)
_PAGE_TEXTS = {400: "csrf", 403: "forbidden", 404: "not_found", 413: "too_large"}


class UnsupportedMediaType(Exception):
    """The body is not declared as UTF-8 JSON."""


class LedgerUnavailable(Exception):
    """The database could not store the delivery, so it was not acknowledged."""


def _count(status: int, reason: str) -> None:
    sources = current_app.extensions.get("vst.metrics")
    if sources is not None:
        sources.counters.count("webhook", outcome="rejected", status=str(status), reason=reason)


def _log_refused(status: int, incomplete: bool) -> None:
    """Log a 408 (cut off by the web worker's read deadline), a 413 or a body that ended
    before its Content-Length (400) with its reason.

    On the webhook it is a rejected delivery, counted as such. Elsewhere only the status and
    the reason are logged: nothing from the request, whose query string is the client's."""
    reason = _INCOMPLETE if incomplete else _CLIENT_REFUSALS.get(status)
    if reason is None:
        return
    if request.path == _WEBHOOK_PATH:
        log.warning("webhook.rejected status=%d reason=%s", status, reason)
        _count(status, reason)
    else:
        log.warning("request.rejected status=%d reason=%s", status, reason)


def register(app: Flask) -> None:
    """Install the handlers; every error response is ``application/problem+json``."""

    @app.errorhandler(SignatureRejected)
    def _unauthenticated(error: SignatureRejected) -> Response:
        log.warning("webhook.rejected status=401 reason=%s", error.reason)
        _count(401, error.reason)
        return problem(401, "The request could not be authenticated.")

    @app.errorhandler(UnsupportedMediaType)
    def _media_type(_error: UnsupportedMediaType) -> Response:
        log.warning("webhook.rejected status=415 reason=content_type")
        _count(415, "content_type")
        return problem(415, "Send the event as Content-Type: application/json (UTF-8).")

    @app.errorhandler(StrictJsonError)
    def _bad_json(error: StrictJsonError) -> Response:
        log.warning("webhook.rejected status=400 reason=invalid_json")
        _count(400, "invalid_json")
        return problem(400, f"The body is not valid JSON: {error}.")

    @app.errorhandler(EventSchemaViolation)
    def _bad_schema(error: EventSchemaViolation) -> Response:
        fields = ",".join(e["field"] for e in error.problems)
        log.warning("webhook.rejected status=400 reason=schema fields=%s", fields)
        _count(400, "schema")
        return problem(
            400, "The event does not match the consent event schema.", errors=error.problems
        )

    @app.errorhandler(InvalidEvent)
    def _bad_event(error: InvalidEvent) -> Response:
        field, reason = redact_hetus(error.field), redact_hetus(error.reason)
        log.warning("webhook.rejected status=400 reason=invalid_value field=%s", field)
        _count(400, "invalid_value")
        detail = "The event names something that does not exist."
        return problem(400, detail, errors=[{"field": field, "reason": reason}])

    @app.errorhandler(LedgerUnavailable)
    def _unavailable(_error: LedgerUnavailable) -> Response:
        log.error("webhook.rejected status=503 reason=database_unavailable")
        _count(503, "database_unavailable")
        detail = "The event could not be stored; nothing was accepted. Retry later."
        return problem(503, detail, headers={"Retry-After": RETRY_AFTER_SECONDS})

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        incomplete = isinstance(error, ClientDisconnected)
        _log_refused(status, incomplete)
        if request.path == "/staff" or request.path.startswith("/staff/"):  # people read these
            key = "incomplete" if incomplete else _PAGE_TEXTS.get(status, "error")
            return staff_pages.error_page(status, key)
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return problem(status, error.description or "", headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:  # the last line of defence, never expected
        log.error("request.failed error=%s", type(error).__name__)
        return problem(500, "An unexpected error occurred.")
