"""Visma Sign's request authentication, the ``Onnistuu`` HMAC header (API v1).

``Authorization: Onnistuu <client id>:<base64 HMAC-SHA512(key, string to sign)>`` where the
key is the base64-decoded organisation secret and the string to sign is::

    METHOD \\n base64(MD5(body)) \\n Content-Type \\n Date \\n path(+query)

The same Content-MD5, Content-Type and Date go along as headers (the vendor's own client,
``VismaSolutionsOy/VismaSignApiClient``). The
signature covers the Date, so the receiver can refuse a stale request.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, field
from email.utils import format_datetime
from typing import Final
from urllib.parse import urlsplit

SCHEME: Final = "Onnistuu"


@dataclass(frozen=True)
class OnnistuuKey:
    """An organisation's API credentials: its client identifier and base64 secret."""

    client_id: str
    secret: bytes = field(repr=False)

    @classmethod
    def parse(cls, client_id: str, secret_base64: str) -> OnnistuuKey:
        """From the identifier and the base64 secret Visma Sign issues; ValueError if not base64."""
        return cls(client_id, base64.b64decode(secret_base64, validate=True))


def content_md5(body: bytes) -> str:
    """``base64(MD5(body))``; for a GET, the MD5 of the empty body."""
    return base64.b64encode(hashlib.md5(body).digest()).decode()  # noqa: S324 - the protocol's


def string_to_sign(method: str, body: bytes, content_type: str, date: str, url: str) -> str:
    """The text the HMAC covers: method, body digest, type, date, path with query."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return "\n".join((method.upper(), content_md5(body), content_type, date, path))


def signature(key: OnnistuuKey, text: str) -> str:
    """``base64(HMAC-SHA512(secret, text))``."""
    return base64.b64encode(hmac.new(key.secret, text.encode(), hashlib.sha512).digest()).decode()


def signed_headers(  # noqa: PLR0917 - the request's parts, as the protocol names them
    key: OnnistuuKey, method: str, url: str, body: bytes, content_type: str, now: dt.datetime
) -> dict[str, str]:
    """Every header a request to Visma Sign needs for its authentication."""
    date = format_datetime(now.astimezone(dt.UTC), usegmt=True)
    text = string_to_sign(method, body, content_type, date, url)
    return {
        "Authorization": f"{SCHEME} {key.client_id}:{signature(key, text)}",
        "Content-MD5": content_md5(body),
        "Content-Type": content_type,
        "Date": date,
    }
