"""RFC 9457 problem details: the body of every error answer but a staff page, and each status's
title."""

from __future__ import annotations

from typing import Any, Final

from flask import Response, json

PROBLEM_TYPE: Final = "application/problem+json"

TITLES: Final = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def problem(
    status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    """A problem-details response; ``extra`` members (e.g. ``errors``) are added as they are."""
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status}
    body.update(detail=detail, **extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    response.headers.update(headers or {})
    return response
