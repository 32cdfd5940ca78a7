"""Requests as bytes on a socket to the web process, started as the Procfile starts it:
what gunicorn itself answers (requests it cannot read) and what reaches the app as sent."""

from __future__ import annotations

import datetime as dt
import json
import time

from sqlalchemy import Engine

from tests.e2e.stack import SECRET, inbox_rows
from tests.net import exchange
from tests.signing import body_of, event, person, signed_headers
from web.security_headers import PAGES_POLICY

ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
SECURITY_HEADERS = (
    f"Content-Security-Policy: {PAGES_POLICY}",
    "X-Frame-Options: DENY",
    "X-Content-Type-Options: nosniff",
    "Referrer-Policy: same-origin",
)
_HEAD = "POST /webhooks/signing HTTP/1.1\r\nHost: 127.0.0.1\r\n"
# Requests gunicorn refuses before the app sees them, and the status it answers.
UNREADABLE = {
    "Content-Length with Transfer-Encoding": (
        _HEAD + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400,
    ),
    "two Content-Lengths": (_HEAD + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400),
    "an obs-folded header": (_HEAD + "X-Folded: a\r\n b\r\nContent-Length: 0\r\n\r\n", 400),
    "a NUL in a header": (_HEAD + "X-Nul: a\x00b\r\nContent-Length: 0\r\n\r\n", 400),
    "a lower-case method": ("get /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400),
    "a request line over 4094 bytes": (f"GET /{'a' * 5000} HTTP/1.1\r\n\r\n", 414),
    "over 100 header fields": (_HEAD + "".join(f"X-{i}: a\r\n" for i in range(101)) + "\r\n", 431),
}


def _status_and_headers(answer: bytes) -> tuple[int, list[str]]:
    head = answer.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    return int(head[0].split(" ")[1]), head[1:]


def test_gunicorns_own_refusals_of_unreadable_requests_carry_the_security_headers(
    web: tuple[str, Engine],
) -> None:
    base, engine = web
    answers = {name: exchange(base, raw.encode()) for name, (raw, _) in UNREADABLE.items()}
    for name, answer in answers.items():
        status, headers = _status_and_headers(answer)
        assert status == UNREADABLE[name][1], (name, answer[:300])
        assert set(SECURITY_HEADERS) <= set(headers), (name, headers)
        assert "Connection: close" in headers, (name, headers)
    assert inbox_rows(engine) == 0


def _signed_post(path: str) -> bytes:
    body = body_of(event(ADULT, ADULT))
    headers = signed_headers(SECRET, "msg_slashes", int(time.time()), body)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{head}"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def test_a_signed_event_posted_to_the_webhook_path_with_two_leading_slashes_is_a_404(
    web: tuple[str, Engine],
) -> None:
    base, engine = web
    answer = exchange(base, _signed_post("//webhooks/signing"))
    status, headers = _status_and_headers(answer)
    assert status == 404, answer[:300]
    assert "Content-Type: application/problem+json" in headers
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["status"] == 404
    assert inbox_rows(engine) == 0
    answer = exchange(base, _signed_post("/webhooks/signing"))  # the same event, as it should be
    assert _status_and_headers(answer)[0] == 202
    assert inbox_rows(engine) == 1
