"""The web worker's read deadline, on a socket pair: what a request's reads get, and when."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from webhook.serving import DeadlineSocket, RequestReadTimeout


class _Request:
    """What the deadline needs of gunicorn's request: a way to make it close."""

    closing = False

    def force_close(self) -> None:
        self.closing = True


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    client, server = socket.socketpair()
    with client, server:
        yield client, server


def test_bytes_that_arrived_before_the_deadline_are_read_after_it(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, server = pair
    client.sendall(b"POST / HTTP/1.1\r\n")
    deadline = DeadlineSocket(server, seconds=0.0)  # passed while it waited for a thread
    deadline.begin()
    assert deadline.recv(1024) == b"POST / HTTP/1.1\r\n"
    assert not deadline.expired


def test_headers_still_missing_at_the_deadline_read_as_the_end_of_the_connection(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, server = pair
    client.sendall(b"POST /webhooks/sig")
    deadline = DeadlineSocket(server, seconds=0.0)
    deadline.begin()
    deadline.recv(1024)
    assert deadline.recv(1024) == b""
    assert deadline.expired
    client.sendall(b"ning HTTP/1.1\r\n")  # too late: the connection is done
    assert deadline.recv(1024) == b""


def test_a_body_still_missing_at_the_deadline_is_a_408_that_closes_the_connection(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    _client, server = pair
    deadline = DeadlineSocket(server, seconds=0.0)
    deadline.begin()
    request = _Request()
    deadline.body_of = request
    with pytest.raises(RequestReadTimeout) as refused:
        deadline.recv(1024)
    assert refused.value.code == 408
    assert request.closing


def test_between_requests_reads_are_the_callers_own(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, server = pair
    deadline = DeadlineSocket(server, seconds=0.0)  # its request was answered
    client.sendall(b"next")
    assert deadline.recv(1024) == b"next"
    assert not deadline.expired
