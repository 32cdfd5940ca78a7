"""What a KOSKI answer means for a submission (DESIGN §3.4 failure classes). Pure."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Final

from consent.hetu import redact_hetus


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


@dataclass(frozen=True)
class Judgement:
    """The verdict, KOSKI's error keys and a message safe to store and show."""

    verdict: Verdict
    keys: tuple[str, ...] = ()
    message: str | None = None


def judge(answer: KoskiAnswer, known_oid: bool) -> Judgement:
    """Classify one answer."""
    if answer.status is None:
        return Judgement(Verdict.RETRY, (), f"no answer from KOSKI ({answer.transport_error})")
    if answer.status == 200:
        return Judgement(Verdict.STORED)
    keys, message = _errors(answer.body)
    if answer.status >= 500 or answer.status == 429 or set(keys) & RETRYABLE_CONFLICTS:
        return Judgement(Verdict.RETRY, keys, message or f"KOSKI answered {answer.status}")
    if "forbidden.suostumusPeruttu" in keys:
        return Judgement(Verdict.REVOKED, keys, message)
    if answer.status == 404 and known_oid:
        return Judgement(Verdict.DELETED, keys, message)
    return Judgement(Verdict.REJECTED, keys, message or f"KOSKI answered {answer.status}")


def _errors(body: Any) -> tuple[tuple[str, ...], str | None]:
    """KOSKI's ``[{key, message}]``: the keys, and the messages with no value echoed."""
    if not isinstance(body, list):
        return (), None
    entries = [e for e in body if isinstance(e, dict) and isinstance(e.get("key"), str)]
    keys = tuple(e["key"] for e in entries)
    messages = [_message(e.get("message")) for e in entries]
    return keys, redact_hetus("; ".join(m for m in messages if m))[:2000] or None


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
