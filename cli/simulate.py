"""A stand-in for the signing service: build a consent event, sign it, post it.

Signs the way a Standard Webhooks sender does: ``v1`` (HMAC-SHA256) with a ``whsec_``
secret or ``v1a`` (Ed25519) with a ``whsk_`` private key, over ``id.timestamp.body``.
Hetus can be generated for a given age, so a demo needs no real person's number.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import uuid
from pathlib import Path

from consent.adapters.webhook_sender import Signer, generate_keypair, post

__all__ = ["Signer", "generate_keypair", "post"]

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


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
