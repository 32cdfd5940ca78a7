"""What a KOSKI answer means for a submission: stored, retried, revoked, deleted or
rejected for staff to act on. Pure."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Final

from consent.hetu import redact_hetus
from consent.oppijanumero import redact_oids


@dataclass(frozen=True)
class KoskiAnswer:
    """An HTTP answer from KOSKI, or none at all (``status`` None: timeout, connection error)."""

    status: int | None
    body: Any
    transport_error: str | None = None


class Verdict(enum.StrEnum):
    """What to do after an answer."""

    STORED = "stored"  # 200: keep oid and versionumero
    RETRY = "retry"  # 5xx, 429, no answer, concurrent update: try again later
    REVOKED = "revoked"  # 403 forbidden.suostumusPeruttu: the citizen revoked; never again
    DELETED = "deleted"  # 404 on a known oid: gone from KOSKI (revoked or invalidated)
    REJECTED = "rejected"  # any other 4xx: staff must act on KOSKI's keys


RETRYABLE_CONFLICTS: Final = {"conflict.versionumero", "conflict.samanaikainenPäivitys"}
# The person holds another record of the same oppilaitos and opintokokonaisuus on the same day
# (KOSKI's duplicate rule): refused for good, until one of the two records changes.
DUPLICATE: Final = "conflict.exists"
# KOSKI's own 404 for a record it does not hold (deleted, revoked, or never there):
# ``notFound.opiskeluoikeuttaEiLöydyTaiEiOikeuksia``.
RECORD_NOT_FOUND: Final = "notFound.opiskeluoikeuttaEiLöydy"
NOT_KOSKIS_404: Final = "a 404 that names no KOSKI record: check KOSKI_URL and any proxy"


@dataclass(frozen=True)
class Judgement:
    """The verdict, KOSKI's error keys and a message safe to store and show; for a stored
    record, its ``oid`` and ``versionumero`` (None if the answer does not name them)."""

    verdict: Verdict
    keys: tuple[str, ...] = ()
    message: str | None = None
    oid: str | None = None
    versionumero: int | None = None


def judge(answer: KoskiAnswer, known_oid: bool) -> Judgement:
    """Classify one answer."""
    if answer.status is None:
        return Judgement(Verdict.RETRY, (), f"no answer from KOSKI ({answer.transport_error})")
    if answer.status == 200:
        oid, versionumero = _stored(answer.body)
        return Judgement(Verdict.STORED, oid=oid, versionumero=versionumero)
    keys, message = _errors(answer.body)
    if answer.status >= 500 or answer.status == 429 or set(keys) & RETRYABLE_CONFLICTS:
        return Judgement(Verdict.RETRY, keys, message or f"KOSKI answered {answer.status}")
    if "forbidden.suostumusPeruttu" in keys:
        return Judgement(Verdict.REVOKED, keys, message)
    if answer.status == 404 and known_oid:
        return _not_found(keys, message)
    return Judgement(Verdict.REJECTED, keys, message or f"KOSKI answered {answer.status}")


def _not_found(keys: tuple[str, ...], message: str | None) -> Judgement:
    """A 404 for a record KOSKI held: gone only when KOSKI itself says it holds no such
    record. Any other 404 (a proxy's, a wrong ``KOSKI_URL`` path) never marks a record gone
    for good: it is tried again, and staff see the answer meanwhile."""
    if any(key.startswith(RECORD_NOT_FOUND) for key in keys):
        return Judgement(Verdict.DELETED, keys, message)
    return Judgement(Verdict.RETRY, keys, message or NOT_KOSKIS_404)


def first_error_key(answer: KoskiAnswer) -> str:
    """The first error key KOSKI named (``""`` if none): a label of the answers counter."""
    return next((e["key"] for e in _entries(answer.body)), "")


def _stored(body: Any) -> tuple[str | None, int | None]:
    """The oid and versionumero of the record a 200 answer names (``opiskeluoikeudet[0]``)."""
    records = body.get("opiskeluoikeudet") if isinstance(body, dict) else None
    saved = records[0] if isinstance(records, list) and records else None
    if not isinstance(saved, dict):
        return None, None
    oid, versionumero = saved.get("oid"), saved.get("versionumero")
    return (
        oid if isinstance(oid, str) else None,
        versionumero if isinstance(versionumero, int) else None,
    )


def _entries(body: Any) -> list[dict[str, Any]]:
    """KOSKI's ``[{key, message}]`` error entries, each with a key."""
    if not isinstance(body, list):
        return []
    return [e for e in body if isinstance(e, dict) and isinstance(e.get("key"), str)]


def _errors(body: Any) -> tuple[tuple[str, ...], str | None]:
    """The error entries' keys, and their messages with no value echoed."""
    entries = _entries(body)
    keys = tuple(e["key"] for e in entries)
    messages = [_message(e.get("message")) for e in entries]
    joined = redact_oids(redact_hetus("; ".join(m for m in messages if m)))
    return keys, joined[:2000] or None


def _message(message: Any) -> str:
    if isinstance(message, str):
        return message
    if isinstance(message, list):  # jsonSchema: [{path, value, error: {errorType}}]; drop values
        return ", ".join(
            f"{m.get('path')}: {m.get('error', {}).get('errorType')}"
            for m in message
            if isinstance(m, dict)
        )
    return ""
