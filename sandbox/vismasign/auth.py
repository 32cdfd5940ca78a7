"""The sandbox's own check of the ``Onnistuu`` header, written from Visma Sign's description
and independent of the client's code, so each tests the other."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Final

SCHEME: Final = "Onnistuu"


def body_digest(body: bytes) -> str:
    """What ``Content-MD5`` must say: the base64 MD5 of the exact body."""
    return base64.b64encode(hashlib.md5(body).digest()).decode()  # noqa: S324 - the protocol's


def expected_signature(  # noqa: PLR0917 - the signed request's parts
    secret_base64: str, method: str, body: bytes, content_type: str, date: str, path: str
) -> str:
    """``base64(HMAC-SHA512(base64-decoded secret, METHOD\\nMD5\\ntype\\nDate\\npath))``."""
    text = f"{method}\n{body_digest(body)}\n{content_type}\n{date}\n{path}"
    key = base64.b64decode(secret_base64)
    return base64.b64encode(hmac.new(key, text.encode(), hashlib.sha512).digest()).decode()
