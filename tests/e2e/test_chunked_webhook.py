"""Chunked webhook bodies through the real web process, started as the Procfile starts it.

gunicorn de-chunks the body and marks the stream as ended (``wsgi.input_terminated``), so
no Content-Length reaches the app: the size limit must hold on the stream itself.
"""

from __future__ import annotations

import datetime as dt
import time

import requests
from sqlalchemy import Engine

from tests.e2e.stack import SECRET, inbox_rows
from tests.signing import body_of, event, person, signed_headers

MAX_BODY = 64 * 1024
ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")


def _post_chunked(
    base: str, body: bytes, webhook_id: str, signed: bytes | None = None
) -> requests.Response:
    """A POST signed over ``signed`` (the body by default), sent with
    ``Transfer-Encoding: chunked`` in 8 KiB chunks."""
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        **signed_headers(SECRET, webhook_id, timestamp, signed or body),
    }
    chunks = iter([body[i : i + 8192] for i in range(0, len(body), 8192)])
    return requests.post(f"{base}/webhooks/signing", data=chunks, headers=headers, timeout=60)


def _padded(size: int) -> bytes:
    """A valid signed event padded with trailing whitespace (still JSON) to ``size`` bytes."""
    head = body_of(event(ADULT, ADULT, at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")))
    return head + b" " * (size - len(head))


def test_a_chunked_body_over_64_kib_is_refused_by_the_real_server_and_stores_nothing(
    web: tuple[str, Engine],
) -> None:
    base, engine = web
    # Signed over its first 64 KiB, a valid event: only the whole body may count.
    body = _padded(MAX_BODY + 1024)
    response = _post_chunked(base, body, "msg_chunked_big", signed=body[:MAX_BODY])
    assert response.status_code == 413
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert inbox_rows(engine) == 0


def test_a_chunked_body_within_64_kib_is_accepted_by_the_real_server(
    web: tuple[str, Engine],
) -> None:
    base, engine = web
    assert _post_chunked(base, _padded(MAX_BODY), "msg_chunked_small").status_code == 202
    assert inbox_rows(engine) == 1
