"""Redirects name a path on this site, never a host taken from the request.

Werkzeug builds the redirect that adds a missing slash (``/staff`` → ``/staff/``) as an
absolute URL from the request's ``Host`` header, so a client that sends ``Host:
evil.example`` is sent to ``http://evil.example/staff/`` (and a cache in front could keep
that answer for others). Every redirect of ours stays on this site, so its ``Location`` is
cut to the path and query, which a browser resolves against the address it asked.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Response


def relative_location(response: Response) -> Response:
    """An ``after_request`` hook: an absolute ``Location`` becomes its path and query."""
    location = response.headers.get("Location")
    if location:
        parts = urlsplit(location)
        if parts.scheme or parts.netloc:
            path = "/" + parts.path.lstrip("/")  # never "//host": that names a host again
            response.headers["Location"] = urlunsplit(("", "", path, parts.query, ""))
    return response
