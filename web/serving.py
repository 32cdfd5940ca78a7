"""The web process's gunicorn worker: gthread, with deadlines for reading each request and
writing each answer.

A sync worker gives its whole process to one socket, so two clients that declare a body and
send one byte hold two sync workers until gunicorn kills them. gunicorn 27's gthread worker
serves connections from a thread pool, but once a client has sent a byte, a thread waits
for the rest for as long as the client likes; gunicorn 27 has no setting for a request read
timeout. This worker adds one: a request's headers and body must have arrived within
:data:`READ_SECONDS` of its connection being queued for a thread (accepted, or, kept alive,
seen sending its next request). A client still sending, or silent, then is cut off: its
connection is closed, after a 408 with ``Connection: close`` if its headers had arrived
(the app answers it through its error table; nothing is stored, since the webhook reads the
whole body before anything else). Its thread is free again, and a connection whose deadline
passed while it waited for a thread is closed as soon as one takes it up, so however many
slow clients arrive at once, a request queued behind them waits about :data:`READ_SECONDS`
at most.

The other way round, gthread writes an answer with a blocking ``sendall``, so a client that
asks (say, pipelining requests for an 18 KB document) and never reads holds the thread until
it closes. So each answer must also be taken within :data:`WRITE_SECONDS` of its first byte
being written, or the connection is closed (logged with ``reason=write_timeout``); a client
that reads, however slowly, only needs to take that answer in that time, and the next answer
on a kept-alive connection has a deadline of its own. Such a client too holds a thread for
:data:`WRITE_SECONDS` at most, but requests queued behind many of them wait a round of that
for each ``threads`` of them ahead.

gunicorn's own answers to requests it cannot parse (400 for bad framing, 414, 431, ...) are
written by the worker, not the app; they get the same security headers as the app's pages.

Used by the Procfile: ``gunicorn --worker-class web.serving.BoundedReadWorker``. Plain
HTTP only (TLS ends at the proxy in front). How long a request may then take to answer (an
invalidation waiting for KOSKI) is bounded by the KOSKI client's own timeouts, not here.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import IO, Any, Final, TypeVar

from gunicorn.workers.gthread import ThreadWorker  # type: ignore[import-untyped]  # no types
from werkzeug.exceptions import RequestTimeout

from web.security_headers import PAGES_POLICY, header_fields

# A webhook body is at most 64 KiB and a staff upload at most 10 MiB; behind the production
# proxy, which buffers requests, each arrives at network speed. A client that takes longer
# than this holds a thread for nothing.
READ_SECONDS: Final = 10.0
# Behind the production proxy, which buffers answers, each is taken at loopback speed. A
# client without one must take an answer in this time from its first byte: the 18 KB OpenAPI
# document at 2 KB/s, a 1 MB page or list at 100 KB/s. One that has not holds a thread for
# nothing.
WRITE_SECONDS: Final = 10.0
# sendfile is written as sendall of blocks of this size, so the write deadline bounds it all.
_FILE_BLOCK: Final = 64 * 1024
# gunicorn's own error pages start with a status line; these headers follow it.
_ERROR_PAGE_HEADERS: Final = "".join(
    f"{name}: {value}\r\n" for name, value in header_fields(PAGES_POLICY).items()
).encode("latin-1")

_Sent = TypeVar("_Sent")


class RequestReadTimeout(RequestTimeout):
    """408: the body did not arrive within :data:`READ_SECONDS`."""

    description = f"The request did not arrive within {READ_SECONDS:.0f} s; nothing was stored."


class ResponseWriteTimeout(TimeoutError):
    """The client did not take an answer within :data:`WRITE_SECONDS`: close the connection.

    An ``OSError``, as gunicorn expects of a failed write, so its request handling passes it
    on to :meth:`BoundedReadWorker.handle_request` untouched."""


class DeadlineSocket:
    """A connection's socket whose reads for one request share one deadline, and whose
    writes of one answer share another.

    Everything but ``recv``, ``send``, ``sendall`` and ``sendfile`` is the socket's own. A
    deadline bounds waiting, not reading or writing: bytes that arrived in time are read
    even if no thread got to them before it (a request queued behind slow clients is
    served), and what fits in the buffers is written even after it. Once a read finds
    nothing by its deadline, or a write cannot finish by its own, the connection is done:
    every later ``recv`` ends at once (so gunicorn's closing does not linger on the client).
    """

    def __init__(
        self,
        sock: socket.socket,
        seconds: float = READ_SECONDS,
        write_seconds: float = WRITE_SECONDS,
    ) -> None:
        self._sock = sock
        self._seconds = seconds
        self._write_seconds = write_seconds
        self._deadline = 0.0
        self._write_deadline: float | None = None  # from an answer's first byte
        self.reading = False  # from queueing a request to the app's answer to it
        self.body_of: Any = None  # the request whose headers have arrived (gunicorn's)
        self.expired = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def begin(self) -> None:
        """A request is coming on this connection: its deadline starts, unless one already
        runs (a connection that was put back to wait for its first byte keeps its own)."""
        if not self.reading:
            self._deadline = time.monotonic() + self._seconds
            self.reading = True

    def remaining(self) -> float:
        """Seconds left before the deadline, never below zero."""
        return max(0.0, self._deadline - time.monotonic())

    def recv(self, size: int, flags: int = 0) -> bytes:
        """``socket.recv``, within what is left of the request's deadline while it is read."""
        if self.expired:
            return self._expired()
        before = self._sock.gettimeout()
        if not self.reading or before == 0.0:  # between requests, or a non-blocking read
            return self._sock.recv(size, flags)
        remaining = self.remaining()
        # Past the deadline, 0: what has arrived already is still read, without waiting.
        self._sock.settimeout(remaining if not before else min(before, remaining))
        try:
            return self._sock.recv(size, flags)
        except (TimeoutError, BlockingIOError):  # no byte in time; nothing there after it
            if before and before < remaining:
                raise  # the caller's own, shorter timeout: the caller's to handle
        finally:
            self._sock.settimeout(before)
        self.expired = True
        return self._expired()

    def sendall(self, data: bytes, flags: int = 0) -> None:
        """``socket.sendall``, within what is left of the answer's write deadline (which the
        answer's first ``sendall`` or ``sendfile`` starts)."""
        self._bounded(lambda: self._sock.sendall(data, flags), self._answer_deadline())

    def send(self, data: bytes, flags: int = 0) -> int:
        """``socket.send``, waiting :data:`WRITE_SECONDS` at most. gunicorn sends only its
        ``100 Continue`` with it, before the app runs, so it starts no answer's deadline."""
        return self._bounded(
            lambda: self._sock.send(data, flags), time.monotonic() + self._write_seconds
        )

    def sendfile(self, file: IO[bytes], offset: int = 0, count: int | None = None) -> int:
        """``socket.sendfile``, as ``sendall`` of the file's blocks (the socket's own bounds
        each wait for room, not the whole file); the bytes sent."""
        file.seek(offset)
        sent = 0
        while count is None or sent < count:
            block = file.read(_FILE_BLOCK if count is None else min(_FILE_BLOCK, count - sent))
            if not block:
                break
            self.sendall(block)
            sent += len(block)
        return sent

    def answered(self) -> None:
        """The answer is written (or abandoned): the next one gets a write deadline of its own."""
        self._write_deadline = None

    def _answer_deadline(self) -> float:
        if self._write_deadline is None:
            self._write_deadline = time.monotonic() + self._write_seconds
        return self._write_deadline

    def _bounded(self, write: Callable[[], _Sent], deadline: float) -> _Sent:
        """``write()`` with the socket's timeout cut to ``deadline``; past it, what fits in the
        buffers at once is still written. A non-blocking write (gunicorn's error pages) and
        the caller's own shorter timeout are the caller's."""
        before = self._sock.gettimeout()
        if before == 0.0:
            return write()
        remaining = max(0.0, deadline - time.monotonic())
        self._sock.settimeout(remaining if not before else min(before, remaining))
        try:
            return write()
        except (TimeoutError, BlockingIOError):
            if before and before < remaining:
                raise
            self.expired = True
            raise ResponseWriteTimeout(
                f"the client did not take its answer within {self._write_seconds:.0f} s"
            ) from None
        finally:
            self._sock.settimeout(before)

    def _expired(self) -> bytes:
        """A body still missing is the app's 408, answered with ``Connection: close``;
        headers still missing close quietly (to gunicorn, an end of data before a request)."""
        if self.body_of is not None:
            self.body_of.force_close()
            raise RequestReadTimeout
        return b""


class ErrorPageSocket:
    """A socket whose one write, gunicorn's own error page, gets the security headers after
    its status line (``gunicorn.util.write_error`` writes the whole page with one
    ``sendall``; everything else is the socket's own)."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def sendall(self, data: bytes, flags: int = 0) -> None:
        """Write ``data`` with the security headers after its first line."""
        status, crlf, rest = data.partition(b"\r\n")
        self._sock.sendall(status + crlf + _ERROR_PAGE_HEADERS + rest, flags)


class BoundedReadWorker(ThreadWorker):  # type: ignore[misc]  # gunicorn's classes are untyped
    """gunicorn's gthread worker, each request's headers and body read within a deadline and
    each answer written within another."""

    def enqueue_req(self, conn: Any) -> None:
        """Queue ``conn`` for a thread (on the worker's main thread); its deadline starts."""
        if not isinstance(conn.sock, DeadlineSocket):
            conn.sock = DeadlineSocket(conn.sock)  # before gunicorn builds the connection's parser
        conn.sock.begin()
        super().enqueue_req(conn)

    def handle(self, conn: Any) -> Any:
        """Serve the next request on ``conn`` (in a pool thread). A new connection that
        sends nothing before its deadline is closed (gunicorn's own wait for a first byte,
        5 s at a time, does not count the time the connection waited for a thread)."""
        sock: DeadlineSocket = conn.sock
        if not conn.initialized and not conn.wait_for_data(sock.remaining()):
            sock.expired = True
            return False
        return super().handle(conn)

    def handle_request(self, req: Any, conn: Any) -> bool:
        """Run the app for ``req``; a request cut off mid-body, or an answer the client did
        not take in time, closes its connection."""
        sock: DeadlineSocket = conn.sock
        sock.body_of = req
        try:
            keepalive: bool = super().handle_request(req, conn)
        except ResponseWriteTimeout:
            self.log.warning(
                "Closing a connection whose client did not take its answer within %.0f s "
                "(reason=write_timeout)",
                WRITE_SECONDS,
            )
            return False
        finally:
            sock.body_of, sock.reading = None, False
            sock.answered()
        return keepalive and not sock.expired

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """gunicorn's own answer to a request it could not read (400 for bad framing, 414,
        431, ...), with the security headers every answer of the app carries."""
        super().handle_error(req, ErrorPageSocket(client), addr, exc)
