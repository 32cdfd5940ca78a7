"""``POST /webhooks/signing``: signed consent events from the signing service.

The view is a checklist: size and type, verify the raw bytes, read the event (strict JSON,
schema, real hetus: :func:`consent.events.read_event`), store in the inbox, enqueue, 202.
Only a committed inbox row is acknowledged.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import redis
from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge

from consent.config import WebhookKey
from consent.events import ConsentEvent, read_event
from consent.model import InboxDelivery, InboxReceipt
from consent.ports import Clock, Counting, JobQueue
from web.errors import LedgerUnavailable, UnsupportedMediaType
from web.intake.signature import HEADERS, SignatureRejected, Verified, verify

MAX_BODY: Final = 64 * 1024
SOURCE: Final = "signing"
ACCEPTED: Final = Counting("webhook", (("outcome", "accepted"), ("status", "202"), ("reason", "")))

# Where the WSGI environ keeps each header verify() asks for (HTTP_WEBHOOK_ID, …).
_ENVIRON_KEYS: Final = {name: f"HTTP_{name.upper().replace('-', '_')}" for name in HEADERS}
# The Content-Type values a signing service sends, known good without parsing them.
_JSON_TYPES: Final = frozenset(
    {"application/json", "application/json; charset=utf-8", "application/json;charset=utf-8"}
)

bp = Blueprint("signing", __name__)
log = logging.getLogger("vst.webhook")


@dataclass(frozen=True)
class Intake:
    """What the endpoint needs: trusted keys, the ledger, the queue and a clock."""

    keys: Sequence[WebhookKey]
    store: Callable[[InboxDelivery], InboxReceipt]
    find: Callable[[str, str], int | None]
    queue: JobQueue
    clock: Clock
    allow_temporary_hetu: bool


@bp.post("/webhooks/signing")
def receive() -> ResponseReturnValue:
    """Verify, store and queue one consent event."""
    intake: Intake = current_app.extensions["vst.intake"]
    _check_size_and_type()
    body = _whole_body()
    now = intake.clock()
    try:
        verified = verify(_header, body, intake.keys, now.timestamp())
    except SignatureRejected as rejected:
        return _known_replay(intake, rejected)
    event = read_event(body, now=now, allow_temporary=intake.allow_temporary_hetu)
    receipt = _store(intake, _delivery(verified, event, body, now))
    if receipt.duplicate:
        log.info(
            "webhook.duplicate inbox_id=%s webhook_id=%s", receipt.inbox_id, verified.webhook_id
        )
        _count_duplicate()
        return jsonify(status="duplicate", inbox_id=receipt.inbox_id), 200
    _enqueue(intake.queue, receipt.inbox_id)
    log.info(
        "webhook.accepted inbox_id=%s webhook_id=%s key=%s",
        receipt.inbox_id,
        verified.webhook_id,
        verified.key_id,
    )
    return _accepted(receipt.inbox_id)


def _accepted(inbox_id: int) -> Response:
    """202 with ``{"inbox_id": …, "status": "accepted"}``, as ``jsonify`` writes it, without
    its serializer: a body made on every request from one integer."""
    body = b'{"inbox_id":%d,"status":"accepted"}\n' % inbox_id
    return current_app.response_class(body, status=202, mimetype="application/json")


def _delivery(
    verified: Verified, event: ConsentEvent, body: bytes, now: dt.datetime
) -> InboxDelivery:
    """What the inbox keeps of a delivery: how it was signed, its event's type, its exact bytes."""
    signed = (verified.webhook_id, verified.timestamp, verified.signature, verified.key_id)
    return InboxDelivery(SOURCE, *signed, event.kind.value, body, now)


def _header(name: str) -> list[str]:
    """A header's value as :func:`verify` asks for it. A WSGI server joins repeated headers
    into one value, so this is ``headers.getlist`` without its walk of the whole environ,
    read from the environ as ``headers.get`` reads it."""
    value = request.environ.get(_ENVIRON_KEYS[name])
    return [] if value is None else [value]


def _known_replay(intake: Intake, rejected: SignatureRejected) -> ResponseReturnValue:
    """A delivery signed by a trusted key but outside the time window is never accepted;
    if its webhook-id was stored before, the answer is 200 so its sender stops retrying."""
    late = rejected.signed_outside_window
    inbox_id = None if late is None else _find(intake, late.webhook_id)
    if late is None or inbox_id is None:
        raise rejected
    log.info("webhook.duplicate inbox_id=%s webhook_id=%s late=true", inbox_id, late.webhook_id)
    _count_duplicate()
    return jsonify(status="duplicate", inbox_id=inbox_id), 200


def _count_duplicate() -> None:
    """Count a delivery answered 200 as one stored before (accepted ones are counted with
    their job, :data:`ACCEPTED`)."""
    sources = current_app.extensions.get("vst.metrics")
    if sources is not None:
        sources.counters.count("webhook", outcome="duplicate", status="200", reason="")


def _check_size_and_type() -> None:
    """413 before reading a declared oversize body; 415 unless it is UTF-8 JSON."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise RequestEntityTooLarge()
    if request.environ.get("CONTENT_TYPE", "").lower() in _JSON_TYPES:
        return  # what a sender sends, spelt as it is sent: no need to parse it
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if request.mimetype != "application/json" or charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType()


def _whole_body() -> bytes:
    """The body, or 413 if it is over :data:`MAX_BODY`, however it was framed.

    A chunked body has no Content-Length, and Werkzeug's stream stops quietly at the
    request's ``max_content_length`` without saying whether more followed; so the limit is
    one byte more, and a body that reaches it is refused whole, never verified in part.
    """
    request.max_content_length = MAX_BODY + 1
    body = request.get_data(cache=True)
    if len(body) > MAX_BODY:
        raise RequestEntityTooLarge()
    return body


def _store(intake: Intake, delivery: InboxDelivery) -> InboxReceipt:
    try:
        return intake.store(delivery)
    except SQLAlchemyError as error:
        raise LedgerUnavailable() from error


def _find(intake: Intake, webhook_id: str) -> int | None:
    try:
        return intake.find(SOURCE, webhook_id)
    except SQLAlchemyError as error:
        raise LedgerUnavailable() from error


def _enqueue(queue: JobQueue, inbox_id: int) -> None:
    """Queue the binding and count the delivery accepted, in one round trip to Redis.

    Best effort: the row is committed, and the sweeper queues anything left behind (an
    outage loses the count, as any count it interrupts).
    """
    try:
        queue.enqueue_new_binding(inbox_id, ACCEPTED)
    except redis.RedisError as error:
        log.warning("webhook.enqueue_failed inbox_id=%s error=%s", inbox_id, type(error).__name__)
