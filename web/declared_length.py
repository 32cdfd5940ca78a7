"""A body shorter than its ``Content-Length`` is refused, never read as if it were whole.

gunicorn marks every request's input as terminated (``wsgi.input_terminated``), so Werkzeug
reads a body to its end rather than to its declared length: a client whose connection ended
early delivered a shorter body, which a webhook then checked and a staff upload imported as
if it were the whole file. Where a length is declared, this leaves Werkzeug to read to it,
and it raises :class:`~werkzeug.exceptions.ClientDisconnected` (a 400) when the bytes end
first. A chunked body (no ``Content-Length``) is still read to its end, as the server framed
it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.wsgi import get_content_length

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class DeclaredLength:
    """WSGI middleware: a declared ``Content-Length`` is the length the body must have."""

    def __init__(self, app: WSGIApplication) -> None:
        self._app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Serve the request, its body bounded by its declared length where it has one."""
        if get_content_length(environ) is not None:  # declared, and not chunked
            environ.pop("wsgi.input_terminated", None)
        return self._app(environ, start_response)
