"""Test-side signing: keys, headers and events, independent of the code under test."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from consent.config import WebhookKey
from tests.hetus import make_hetu


def hmac_secret() -> str:
    """A fresh ``whsec_`` secret."""
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


def ed25519_pair() -> tuple[Ed25519PrivateKey, str]:
    """A fresh Ed25519 private key and its ``whpk_`` public key."""
    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return private, "whpk_" + base64.b64encode(raw).decode()


def sign_v1(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """A ``v1`` entry, computed from the specification."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def signed_headers(secret: str, webhook_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers of a delivery signed ``v1`` with ``secret``."""
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign_v1(secret, webhook_id, timestamp, body),
    }


def sign_v1a(private: Ed25519PrivateKey, webhook_id: str, timestamp: int, body: bytes) -> str:
    """A ``v1a`` entry, computed from the specification."""
    signature = private.sign(f"{webhook_id}.{timestamp}.".encode() + body)
    return "v1a," + base64.b64encode(signature).decode()


def keys(*texts: str) -> tuple[WebhookKey, ...]:
    """Parsed trusted keys."""
    return tuple(WebhookKey.parse(t) for t in texts)


def person(born: dt.date, first: str = "Aino", last: str = "Esimerkki") -> dict[str, str]:
    """An event member for someone born on ``born``, with a generated hetu."""
    return {"hetu": make_hetu(born), "first_names": first, "last_name": last}


def event(
    participant: dict[str, str],
    signer: dict[str, str] | None,
    *,
    kind: str = "consent.signed",
    course: str = "knoppi-2026-syksy",
    at: str = "2026-09-01T08:15:00Z",
    document_id: str = "doc-1",
) -> dict[str, Any]:
    """A consent event body."""
    data: dict[str, Any] = {
        "document_id": document_id,
        "course_code": course,
        "participant": participant,
    }
    if signer is not None:
        data["signer"] = signer
    if kind == "consent.signed":
        data["signed_at"] = at
    return {"type": kind, "timestamp": at, "data": data}


def body_of(document: dict[str, Any]) -> bytes:
    """The bytes a sender would post."""
    return json.dumps(document, ensure_ascii=False).encode()
