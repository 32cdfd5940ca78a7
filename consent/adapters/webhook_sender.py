"""Sending Standard Webhooks: ``v1`` (HMAC-SHA256, ``whsec_``) and ``v1a`` (Ed25519, ``whsk_``)
signatures over ``id.timestamp.body``, and one delivery by HTTP POST.

The signing connector posts its consent events with this, and so does the simulator.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from consent.config import ed25519_seed
from consent.errors import ConfigurationError

log = logging.getLogger("vst.worker")  # the connector's jobs run in the worker


@dataclass(frozen=True)
class Signer:
    """One ``whsec_`` or ``whsk_`` key, able to produce a signature entry."""

    version: str
    material: bytes

    @classmethod
    def parse(cls, key: str) -> Signer:
        """Read a ``whsec_<base64>`` secret or a ``whsk_`` private key: a 32-byte seed, or the
        seed and its own public key, exactly as the settings accept (``ed25519_seed``)."""
        if key.startswith("whsec_"):
            return cls("v1", base64.b64decode(key[6:], validate=True))
        if key.startswith("whsk_"):
            return cls("v1a", ed25519_seed(base64.b64decode(key[5:], validate=True)))
        raise ValueError("a signing key starts with whsec_ or whsk_")

    def sign(self, webhook_id: str, timestamp: int, body: bytes) -> str:
        """The ``webhook-signature`` entry for this key."""
        signed = f"{webhook_id}.{timestamp}.".encode() + body
        if self.version == "v1":
            raw = hmac.new(self.material, signed, hashlib.sha256).digest()
        else:
            raw = Ed25519PrivateKey.from_private_bytes(self.material).sign(signed)
        return f"{self.version},{base64.b64encode(raw).decode()}"


def generate_keypair() -> tuple[str, str]:
    """A fresh Ed25519 pair as (``whsk_`` private, ``whpk_`` public)."""
    seed = secrets.token_bytes(32)
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    raw_public = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return (
        f"whsk_{base64.b64encode(seed).decode()}",
        f"whpk_{base64.b64encode(raw_public).decode()}",
    )


def post(
    url: str,
    event: dict[str, object],
    signers: list[Signer],
    timeout: float = 10,
    webhook_id: str | None = None,
) -> requests.Response:
    """Serialise, sign with every key (rotation sends several) and post one delivery."""
    body = json.dumps(event, ensure_ascii=False).encode()
    webhook_id = webhook_id or f"msg_{secrets.token_hex(16)}"
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(s.sign(webhook_id, timestamp, body) for s in signers),
    }
    return requests.post(url, data=body, headers=headers, timeout=timeout)


class ConnectorPoster:
    """The connector's side of the webhook: posts an outcome event to our own intake, signed
    with ``SIGNING_CONNECTOR_KEY``; the intake's status code, or None if it could not be
    reached (the connector then posts it again on its next check)."""

    def __init__(self, url: str, key: str | None, timeout: float = 30) -> None:
        self._url = url
        self._key = key
        self._timeout = timeout

    def __call__(self, event: dict[str, object], webhook_id: str) -> int | None:
        """Post ``event`` once, as delivery ``webhook_id``."""
        if not self._key:
            raise ConfigurationError("SIGNING_CONNECTOR_KEY is not set: the connector is off")
        signer = Signer.parse(self._key)
        try:
            answer = post(self._url, event, [signer], timeout=self._timeout, webhook_id=webhook_id)
        except requests.RequestException as error:
            log.warning("connector.post_failed error=%s", type(error).__name__)
            return None
        return answer.status_code
