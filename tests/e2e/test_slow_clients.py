"""The web process, started exactly as the Procfile starts it, outlives slow clients on its own.

A slow client declares a request and then sends next to nothing. Under the old two sync
workers, two such sockets held both workers and ``/healthz`` waited ~60 s until gunicorn
killed them; these tests open many more than two, and more than the web process has threads
(2 workers of 32), so that ``/healthz`` may have to wait behind some of them. A client that
asks and never reads its answers is slow the other way: each answer must be taken within the
worker's write deadline.
"""

from __future__ import annotations

import datetime as dt
import socket
import time
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy import Engine

from tests.e2e.stack import SECRET, inbox_rows, procfile_dashboard
from tests.signing import body_of, event, person, signed_headers

SLOW_BODIES = 100  # each declares 60,000 bytes of body and sends one
SLOW_HEADERS = 20  # each sends part of its request line and stops
SILENT = 20  # each connects and sends nothing
# Generous: it returns as soon as /healthz answers. A request waits behind slow clients for
# about 10 s at most (web/serving.py); the old Procfile needed ~60 s.
HEALTHZ_LIMIT = 20.0
# Generous too: a slow client is cut off 10 s after it was accepted.
CUT_OFF_LIMIT = 45.0
ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
NEVER_READING = 96  # more than the web process has threads
PIPELINED = 400  # requests each of them sends at once: ~7 MB of answers, more than buffers hold
# Their answers fill the buffers within seconds, and then each holds a thread; /healthz is
# asked this many times, a second apart, while they do. Each ask may wait this long (it
# returns as soon as /healthz answers): a client that never reads holds a thread for 10 s at
# most, so /healthz waited 6 s at most behind 96 of them on an idle machine; before the write
# deadline, all threads were held from about 8 s on, until the clients closed.
HEALTHZ_ASKS = 15
HEALTHZ_BEHIND_READERS_LIMIT = 30.0
LARGE_ANSWER = "/api/openapi.json"  # anonymous, ~18 KB
SMALL_RECEIVE_BUFFER = 4096


def _open(port: int, data: bytes) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", port), timeout=CUT_OFF_LIMIT)
    client.sendall(data)
    return client


def _slow_body(port: int) -> socket.socket:
    head = (
        "POST /webhooks/signing HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n"
    )
    return _open(port, head.encode() + b"{")


def _slow_header(port: int) -> socket.socket:
    return _open(port, b"POST /webhooks/sig")


def _everything_until_closed(client: socket.socket) -> bytes:
    """What the server sent before it closed the connection (a socket timeout fails)."""
    received = b""
    with client:
        while chunk := client.recv(65536):
            received += chunk
    return received


def _healthz_status(base: str, limit: float = HEALTHZ_LIMIT) -> int:
    status: int = requests.get(f"{base}/healthz", timeout=limit).status_code
    return status


def test_healthz_answers_while_many_slow_clients_hang_and_they_are_cut_off_storing_nothing(
    web: tuple[str, Engine],
) -> None:
    base, engine = web
    port = int(base.rsplit(":", 1)[1])
    bodies = [_slow_body(port) for _ in range(SLOW_BODIES)]
    headers = [_slow_header(port) for _ in range(SLOW_HEADERS)]
    silent = [_open(port, b"") for _ in range(SILENT)]
    time.sleep(1)  # let the server take them all up before /healthz asks
    assert _healthz_status(base) == 200
    for client in bodies:
        answer = _everything_until_closed(client)
        assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    for client in headers + silent:
        assert _everything_until_closed(client) == b""
    assert inbox_rows(engine) == 0


def _trickle_until_answered(client: socket.socket) -> bytes:
    """Send a byte of body a second (each read on the server returns at once) until the
    server answers or closes; what it sent."""
    client.settimeout(1)
    deadline = time.monotonic() + CUT_OFF_LIMIT
    while time.monotonic() < deadline:
        try:
            client.sendall(b" ")
            if answer := client.recv(65536):
                return answer
            return b""  # closed without an answer
        except TimeoutError:
            continue  # no answer yet: another byte
        except OSError:
            break  # the server closed while we were sending
    client.settimeout(CUT_OFF_LIMIT)
    return _everything_until_closed(client)


def test_a_client_trickling_its_body_is_cut_off_with_408_within_its_read_deadline(
    web: tuple[str, Engine],
) -> None:
    base, engine = web
    client = _slow_body(int(base.rsplit(":", 1)[1]))
    answer = _trickle_until_answered(client)
    client.close()
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b"\r\nConnection: close\r\n" in answer
    assert inbox_rows(engine) == 0


def test_a_signed_event_sent_in_one_go_is_still_accepted_once_stored_and_queued(
    web: tuple[str, Engine], redis_client: redis.Redis
) -> None:
    base, engine = web
    body = body_of(event(ADULT, ADULT))
    timestamp = int(time.time())
    headers = {
        **signed_headers(SECRET, "msg_fast", timestamp, body),
        "Content-Type": "application/json",
    }
    answer = requests.post(f"{base}/webhooks/signing", data=body, headers=headers, timeout=30)
    assert answer.status_code == 202
    assert inbox_rows(engine) == 1
    assert redis_client.llen("rq:queue:consent") == 1


def _asking(port: int, requests_: bytes) -> socket.socket:
    """A client with a small receive buffer that sends ``requests_`` and reads nothing yet."""
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL_RECEIVE_BUFFER)
    client.settimeout(CUT_OFF_LIMIT)
    client.connect(("127.0.0.1", port))
    client.sendall(requests_)
    return client


def _get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def _closed_by_the_server(client: socket.socket) -> bool:
    """Read what the server sent until it closed the connection (a reset counts as closed;
    a socket timeout, the server still holding it, does not)."""
    try:
        _everything_until_closed(client)
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return True


def test_healthz_answers_while_many_clients_never_read_their_answers_and_they_are_cut_off(
    web: tuple[str, Engine],
) -> None:
    base, _engine = web
    port = int(base.rsplit(":", 1)[1])
    readers = [_asking(port, _get(LARGE_ANSWER) * PIPELINED) for _ in range(NEVER_READING)]
    try:
        for _ in range(HEALTHZ_ASKS):
            time.sleep(1)
            assert _healthz_status(base, HEALTHZ_BEHIND_READERS_LIMIT) == 200
        assert all(_closed_by_the_server(client) for client in readers)
    finally:
        for client in readers:
            client.close()


def _read_slowly_until_closed(client: socket.socket) -> bytes:
    """Read 4 KiB at a time, 50 ms apart (80 KB/s), until the server closes."""
    received = b""
    while chunk := client.recv(4096):
        received += chunk
        time.sleep(0.05)
    return received


def test_a_client_reading_its_answers_slowly_gets_them_all_on_one_kept_alive_connection(
    web: tuple[str, Engine],
) -> None:
    base, _engine = web
    document = requests.get(f"{base}{LARGE_ANSWER}", timeout=30).content
    last = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    with _asking(int(base.rsplit(":", 1)[1]), _get(LARGE_ANSWER) * 10 + last) as client:
        received = _read_slowly_until_closed(client)  # ~180 KB, more than buffers hold
    assert received.count(b"HTTP/1.1 200 OK\r\n") == 11
    assert received.count(b"\r\nConnection: keep-alive\r\n") == 10
    assert received.count(b"\r\n\r\n" + document) == 10
    assert received.rstrip().endswith(b'{"status":"ok"}')


def test_the_dashboard_answers_while_more_slow_clients_than_its_threads_hang(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The dashboard is anonymous up to its login check: it must outlive slow clients too.
    with procfile_dashboard(monkeypatch, tmp_path) as port:
        hanging = [_open(port, b"GET /rq/ HTTP/1.1\r\nHost: x\r\n") for _ in range(12)]
        try:
            answer = requests.get(f"http://127.0.0.1:{port}/rq/", timeout=HEALTHZ_LIMIT)
            assert answer.status_code == 401
            assert all(_everything_until_closed(client) == b"" for client in hanging)
        finally:
            for client in hanging:
                client.close()
