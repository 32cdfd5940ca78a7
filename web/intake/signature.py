"""Standard Webhooks 1.0 signature verification over the raw request bytes.

Pure: headers, body, trusted keys and the current time in; the matched key or a
:class:`SignatureRejected` with a machine-readable ``reason`` out. Every malformed input
maps to a rejection, never to another exception. ``v1`` is HMAC-SHA256 with ``whsec_``
secrets, ``v1a`` is Ed25519 with a trust list of ``whpk_`` public keys; entries of other
versions are ignored, as the specification asks.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from consent.config import WebhookKey

TOLERANCE_SECONDS: Final = 300
MAX_SIGNATURES: Final = 8
_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
# Integer seconds in their one canonical spelling (no sign, no leading zero): the stored
# integer then gives back exactly the text that was signed, so a row can be re-verified.
_TIMESTAMP = re.compile(r"^(?:0|[1-9][0-9]{0,11})$")
_ENTRY = re.compile(r"^([a-z0-9]{1,8}),([A-Za-z0-9+/=]{1,200})$")
_SIGNATURE_LENGTH: Final = {"v1": 32, "v1a": 64}

HEADERS: Final = ("webhook-id", "webhook-timestamp", "webhook-signature")


@dataclass(frozen=True)
class Verified:
    """A delivery whose signature matched ``key_id``."""

    webhook_id: str
    timestamp: int
    signature: str
    key_id: str


class SignatureRejected(Exception):
    """The delivery is not provably from a trusted sender; ``reason`` says why (for logs only).

    ``signed_outside_window`` is set when a trusted key did sign it, only not within the
    time window: a sender retrying an old delivery, or a replay. It must not be accepted,
    but it may be recognised as one already stored.
    """

    def __init__(self, reason: str, signed_outside_window: Verified | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.signed_outside_window = signed_outside_window


def verify(
    header: Callable[[str], list[str]],
    body: bytes,
    keys: Sequence[WebhookKey],
    now: float,
    tolerance: int = TOLERANCE_SECONDS,
) -> Verified:
    """Check the three ``webhook-*`` headers and the signature over ``id.timestamp.body``.

    ``header(name)`` returns every value sent under ``name`` (each must appear once).
    """
    webhook_id, timestamp, signature = (_single(header, name) for name in HEADERS)
    if not _ID.match(webhook_id):
        raise SignatureRejected("malformed_id")
    if not _TIMESTAMP.match(timestamp):
        raise SignatureRejected("malformed_timestamp")
    entries = _entries(signature)
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    key_id = _matching_key(entries, signed, keys)
    if key_id is None:
        raise SignatureRejected("no_matching_signature")
    verified = Verified(webhook_id, int(timestamp), signature, key_id)
    if verified.timestamp < now - tolerance:
        raise SignatureRejected("stale_timestamp", verified)
    if verified.timestamp > now + tolerance:
        raise SignatureRejected("future_timestamp", verified)
    return verified


def _single(header: Callable[[str], list[str]], name: str) -> str:
    values = header(name)
    if not values:
        raise SignatureRejected(f"missing_{name.replace('-', '_')}")
    if len(values) > 1:
        raise SignatureRejected(f"repeated_{name.replace('-', '_')}")
    return values[0]


def _entries(signature: str) -> list[tuple[str, bytes]]:
    """Parse ``v1,<b64> v1a,<b64> …``; known versions must decode to their exact length."""
    parts = signature.split(" ")
    if not 1 <= len(parts) <= MAX_SIGNATURES:
        raise SignatureRejected("malformed_signature")
    entries = []
    for part in parts:
        match = _ENTRY.match(part)
        if match is None:
            raise SignatureRejected("malformed_signature")
        version, encoded = match.groups()
        if version not in _SIGNATURE_LENGTH:
            continue  # a version we do not speak: ignored, per the specification
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise SignatureRejected("malformed_signature") from None
        if len(raw) != _SIGNATURE_LENGTH[version]:
            raise SignatureRejected("malformed_signature")
        entries.append((version, raw))
    return entries


def _matching_key(
    entries: list[tuple[str, bytes]], signed: bytes, keys: Sequence[WebhookKey]
) -> str | None:
    """The id of the first trusted key that produced one of ``entries``; constant-time compare."""
    for key in keys:
        if key.kind == "hmac":
            expected = hmac.new(key.material, signed, hashlib.sha256).digest()
            if any(v == "v1" and hmac.compare_digest(expected, raw) for v, raw in entries):
                return key.key_id
        elif any(v == "v1a" and _ed25519_valid(key.material, raw, signed) for v, raw in entries):
            return key.key_id
    return None


def _ed25519_valid(public_key: bytes, signature: bytes, signed: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, signed)
    except (InvalidSignature, ValueError):
        return False
    return True
