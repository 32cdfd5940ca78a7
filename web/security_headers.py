"""Security headers on every answer: no framing (the confirmation pages cannot be clicked
through from another site), no content sniffing, no referrer to another site, and a
Content-Security-Policy that lets a page load nothing but our own files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from flask import Response

# The staff pages have no inline script or style and only our own stylesheet; the 5-second
# refresh is a <meta http-equiv="refresh"> to the same page, which no directive governs.
# The API, webhook and health answers are JSON or a static page, so the same policy suits them.
PAGES_POLICY: Final = (
    "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)
# rq-dashboard's pages run inline scripts, build their rows with underscore's _.template (which
# compiles with `new Function`, hence 'unsafe-eval'), use inline styles and Bootstrap's data:
# SVG images. It loads all of them from its own static files; nothing from another site.
DASHBOARD_POLICY: Final = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'"
)


def header_fields(policy: str) -> dict[str, str]:
    """The headers, with ``policy`` as the CSP (also for gunicorn's own error pages, which
    no Flask hook sees: web/serving.py)."""
    return {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


def security_headers(policy: str) -> Callable[[Response], Response]:
    """An ``after_request`` hook that sets the headers, with ``policy`` as the CSP."""
    headers = header_fields(policy)

    def add(response: Response) -> Response:
        response.headers.update(headers)
        return response

    return add
