"""What the dashboard answers when rq-dashboard's own handlers would fail.

rq-dashboard 0.9 trusts its address: a job that does not exist, a registry name it does not
know, a page number that is not one, or an instance past its list raises inside its handlers,
and Flask answered 500 and logged "Exception on <address>" with a traceback, which can carry
whatever the address did (a hetu among it). Here, before rq-dashboard sees a request (and
after the guard has let it through), every part of its address is held to the form the
dashboard itself writes, and a queue must be one of ours; anything else is a plain 404.

What can still fail has a handler: a job that is gone is a 404; a change RQ or the broker
will not make (requeueing a job that has not failed, compacting an empty queue) a 409; a
broker outage a 503 (a read-only replica or a broker out of memory answers, but is as good
as down); and a last one for anything else is a 500 that logs only the error's type, never
the address or a traceback.
"""

from __future__ import annotations

import logging
import re
from typing import Final

import redis
from flask import Flask, Response, current_app, request
from redis.exceptions import OutOfMemoryError, ReadOnlyError
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from werkzeug.exceptions import HTTPException

from consent.adapters.queues import QUEUES_BY_PRIORITY

log = logging.getLogger(__name__)

# RQ's own job id form (rq.job.JOB_ID_PATTERN), with a length ours never come near.
_JOB_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,200}")
_REGISTRIES: Final = frozenset(
    ("queued", "failed", "deferred", "started", "finished", "scheduled", "canceled")
)
# Ours, and RQ's default queue, which the Jobs tab opens (empty: we never use it). No other
# exists, and a queue's name is shown on its page.
_QUEUES: Final = frozenset((*QUEUES_BY_PRIORITY, "default"))
_ORDERS: Final = frozenset(("asc", "dsc"))
_MAX_PER_PAGE: Final = 200  # the jobs page's own limit for its "jobs per page" field
_MAX_PAGE: Final = 10**9  # keeps (page - 1) × per_page well within a Redis index
RETRY_AFTER_SECONDS: Final = "30"


def register(dashboard: Flask) -> None:
    """Check addresses before rq-dashboard's handlers, and answer their failures plainly.

    Register it after the guard, so a request without credentials is a 401 whatever its
    address."""
    dashboard.before_request(refuse_unknown_address)
    dashboard.register_error_handler(HTTPException, _http)
    dashboard.register_error_handler(NoSuchJobError, _no_such_job)
    dashboard.register_error_handler(InvalidJobOperation, _cannot_change)
    dashboard.register_error_handler(redis.ResponseError, _refused_by_broker)
    for outage in (redis.RedisError, ReadOnlyError, OutOfMemoryError):
        dashboard.register_error_handler(outage, _broker_unavailable)
    dashboard.register_error_handler(Exception, _unexpected)


def refuse_unknown_address() -> Response | None:
    """None when each part of the address is one the dashboard could have written, else 404."""
    args = request.view_args or {}
    valid = (
        _instance(args.get("instance_number"))
        and _one_of(args.get("queue_name"), _QUEUES)
        and _one_of(args.get("registry_name"), _REGISTRIES)
        and _one_of(args.get("order"), _ORDERS)
        and _number(args.get("per_page"), _MAX_PER_PAGE)
        and _number(args.get("page"), _MAX_PAGE)
        and (args.get("job_id") is None or _JOB_ID.fullmatch(str(args["job_id"])) is not None)
    )
    return None if valid else plain(404, "No such page on the dashboard.")


def _instance(number: object) -> bool:
    """The Redis instance is one of those configured (rq-dashboard raised LookupError)."""
    return number is None or (
        isinstance(number, int) and number < len(current_app.config["RQ_DASHBOARD_REDIS_URL"])
    )


def _one_of(value: object, allowed: frozenset[str]) -> bool:
    return value is None or value in allowed


def _number(value: object, largest: int) -> bool:
    """A whole number 1…``largest``, as text (the JSON addresses) or already converted."""
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit() and len(value) <= len(str(largest))):
            return False
        value = int(value)
    return value is None or (isinstance(value, int) and 1 <= value <= largest)


def plain(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    """A text/plain answer, as the guard's refusals are."""
    response = Response(detail + "\n", status=status, mimetype="text/plain")
    response.headers.update(headers or {})
    return response


def _http(error: HTTPException) -> Response:
    """Routing's own 404s and 405s, plain like the rest (their Allow header kept)."""
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    return plain(error.code or 500, error.description or "", headers)


def _no_such_job(_error: NoSuchJobError) -> Response:
    """A well-formed id of a job that is not (or no longer) there; its text names the key."""
    return plain(404, "No such job.")


def _cannot_change(_error: InvalidJobOperation) -> Response:
    """Requeueing a job that has not failed (RQ requeues failed jobs only)."""
    return plain(409, "Only a failed job can be requeued.")


def _refused_by_broker(error: redis.ResponseError) -> Response:
    """A command the broker refused, such as compacting a queue that is empty (no key)."""
    log.warning("dashboard.refused_by_broker error=%s", type(error).__name__)
    return plain(409, "The job broker refused that; reload the page to see the jobs as they are.")


def _broker_unavailable(error: redis.RedisError) -> Response:
    log.warning("dashboard.broker_unavailable error=%s", type(error).__name__)
    return plain(
        503, "The job broker is unavailable; try again later.", {"Retry-After": RETRY_AFTER_SECONDS}
    )


def _unexpected(error: Exception) -> Response:
    """The last line of defence, never expected: the error's type only, since its text, the
    address and a traceback may each carry what the request did."""
    log.error("dashboard.failed error=%s", type(error).__name__)
    return plain(500, "An unexpected error occurred.")
