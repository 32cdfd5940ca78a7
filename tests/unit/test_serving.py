"""The web worker's deadlines, on a socket pair: what a request's reads and its answer's
writes get, and when."""

from __future__ import annotations

import socket
import tempfile
from collections.abc import Iterator

import pytest

from web.serving import DeadlineSocket, RequestReadTimeout, ResponseWriteTimeout


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


MORE_THAN_BUFFERS_HOLD = 16 * 1024 * 1024


def test_an_answer_the_client_does_not_take_by_the_write_deadline_ends_the_connection(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, server = pair
    deadline = DeadlineSocket(server, write_seconds=0.0)
    with pytest.raises(ResponseWriteTimeout):
        deadline.sendall(b"x" * MORE_THAN_BUFFERS_HOLD)  # the client reads none of it
    assert deadline.expired
    client.sendall(b"GET / HTTP/1.1\r\n")  # a next request is not read
    assert deadline.recv(1024) == b""


def test_an_answer_that_fits_is_written_whole_even_past_the_write_deadline(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, server = pair
    deadline = DeadlineSocket(server, write_seconds=0.0)
    deadline.sendall(b"HTTP/1.1 200 OK\r\n")
    assert client.recv(1024) == b"HTTP/1.1 200 OK\r\n"
    assert not deadline.expired


def test_a_file_the_client_does_not_take_by_the_write_deadline_ends_the_connection(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    _client, server = pair
    deadline = DeadlineSocket(server, write_seconds=0.0)
    with tempfile.TemporaryFile() as file:
        file.write(b"x" * MORE_THAN_BUFFERS_HOLD)
        with pytest.raises(ResponseWriteTimeout):
            deadline.sendfile(file, offset=0, count=MORE_THAN_BUFFERS_HOLD)
    assert deadline.expired


def test_a_file_is_sent_from_its_offset_for_its_count(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, server = pair
    deadline = DeadlineSocket(server)
    with tempfile.TemporaryFile() as file:
        file.write(b"0123456789")
        assert deadline.sendfile(file, offset=2, count=5) == 5
    assert client.recv(1024) == b"23456"
