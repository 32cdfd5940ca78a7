"""The web process's gunicorn worker: gthread, with a deadline for reading each request.

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

Used by the Procfile: ``gunicorn --worker-class webhook.serving.BoundedReadWorker``. Plain
HTTP only (TLS ends at the proxy in front). How long a request may then take to answer (an
invalidation waiting for KOSKI) is bounded by the KOSKI client's own timeouts, not here.
"""

from __future__ import annotations

import socket
import time
from typing import Any, Final

from gunicorn.workers.gthread import ThreadWorker  # type: ignore[import-untyped]  # no types
from werkzeug.exceptions import RequestTimeout

# A webhook body is at most 64 KiB and a staff upload at most 10 MiB; behind the production
# proxy, which buffers requests, each arrives at network speed. A client that takes longer
# than this holds a thread for nothing.
READ_SECONDS: Final = 10.0


class RequestReadTimeout(RequestTimeout):
    """408: the body did not arrive within :data:`READ_SECONDS`."""

    description = f"The request did not arrive within {READ_SECONDS:.0f} s; nothing was stored."


class DeadlineSocket:
    """A connection's socket whose reads for one request share one deadline.

    Everything but ``recv`` is the socket's own. The deadline bounds waiting, not reading:
    bytes that arrived in time are read even if no thread got to them before it (a request
    queued behind slow clients is served). Once a read finds nothing by the deadline, the
    connection is done: every later ``recv`` ends at once (so gunicorn's closing does not
    linger on the client either).
    """

    def __init__(self, sock: socket.socket, seconds: float = READ_SECONDS) -> None:
        self._sock = sock
        self._seconds = seconds
        self._deadline = 0.0
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

    def _expired(self) -> bytes:
        """A body still missing is the app's 408, answered with ``Connection: close``;
        headers still missing close quietly (to gunicorn, an end of data before a request)."""
        if self.body_of is not None:
            self.body_of.force_close()
            raise RequestReadTimeout
        return b""


class BoundedReadWorker(ThreadWorker):  # type: ignore[misc]  # gunicorn's classes are untyped
    """gunicorn's gthread worker, each request's headers and body read within a deadline."""

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
        """Run the app for ``req``; a request cut off mid-body closes its connection."""
        sock: DeadlineSocket = conn.sock
        sock.body_of = req
        try:
            keepalive: bool = super().handle_request(req, conn)
        finally:
            sock.body_of, sock.reading = None, False
        return keepalive and not sock.expired
