"""A stand-in for the signing service: build a consent event, sign it, post it.

Signs the way a Standard Webhooks sender does: ``v1`` (HMAC-SHA256) with a ``whsec_``
secret or ``v1a`` (Ed25519) with a ``whsk_`` private key, over ``id.timestamp.body``.
Hetus can be generated for a given age, so a demo needs no real person's number.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import hmac
import json
import random
import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


@dataclass(frozen=True)
class Signer:
    """One ``whsec_`` or ``whsk_`` key, able to produce a signature entry."""

    version: str
    material: bytes

    @classmethod
    def parse(cls, key: str) -> Signer:
        """Read a ``whsec_<base64>`` secret or a ``whsk_<base64 32-byte seed>`` private key."""
        if key.startswith("whsec_"):
            return cls("v1", base64.b64decode(key[6:], validate=True))
        if key.startswith("whsk_"):
            return cls("v1a", base64.b64decode(key[5:], validate=True)[:32])
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


def generated_hetu(age: int, today: dt.date) -> str:
    """A valid hetu (2023 century signs avoided for readability) for someone ``age`` years old."""
    born = today.replace(year=today.year - age) - dt.timedelta(days=random.randint(1, 300))  # noqa: S311
    individual = random.randint(2, 899)  # noqa: S311 - demo data, not a secret
    digits = f"{born:%d%m}{born.year % 100:02d}{individual:03d}"
    sign = {1800: "+", 1900: "-", 2000: "A"}[born.year // 100 * 100]
    return f"{digits[:6]}{sign}{digits[6:]}{CHECK_CHARACTERS[int(digits) % 31]}"


def person(hetu: str, first_names: str, last_name: str) -> dict[str, str]:
    """A participant or signer member of an event."""
    return {"hetu": hetu, "first_names": first_names, "last_name": last_name}


def consent_event(
    kind: str,
    course_code: str,
    participant: dict[str, str],
    signer: dict[str, str] | None,
    now: dt.datetime,
    *,
    document_id: str | None = None,
) -> dict[str, object]:
    """A consent event body as the signing service sends it."""
    data: dict[str, object] = {
        "document_id": document_id or str(uuid.uuid4()),
        "course_code": course_code,
        "participant": participant,
    }
    if signer is not None:
        data["signer"] = signer
    if kind == "consent.signed":
        data["signed_at"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"type": kind, "timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "data": data}


def post(
    url: str, event: dict[str, object], signers: list[Signer], timeout: float = 10
) -> requests.Response:
    """Serialise, sign with every key (rotation sends several) and post one delivery."""
    body = json.dumps(event, ensure_ascii=False).encode()
    webhook_id = f"msg_{uuid.uuid4().hex}"
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(s.sign(webhook_id, timestamp, body) for s in signers),
    }
    return requests.post(url, data=body, headers=headers, timeout=timeout)


def append_result(path: Path, participant: dict[str, str], grade: str, graded_on: dt.date) -> None:
    """Append the participant's result to a results CSV (header written for a new file)."""
    new = not path.exists()
    with path.open("a", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        if new:
            writer.writerow(["hetu", "grade", "graded_on", "first_names", "last_name"])
        writer.writerow(
            [
                participant["hetu"],
                grade,
                graded_on.isoformat(),
                participant["first_names"],
                participant["last_name"],
            ]
        )
