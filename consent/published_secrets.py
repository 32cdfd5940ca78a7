"""Secrets that must never guard production data: the published ones and the obviously weak.

The development defaults below let the local stack run with no configuration at all. They,
and every other key or password that this repository or the standards it follows print, are
public, so production refuses them (``consent.config``). Keys are compared by their decoded
bytes, so another base64 spelling, another key id or another variable does not hide one;
texts are compared after trimming whitespace and ignoring case.

What counts as weak (documented in the README):

- a key (HMAC secret, PII key, Ed25519 seed or public key, Visma Sign secret) with fewer
  distinct byte values than half its length: random bytes of 24 or more have that many with
  near certainty; 32 times the same byte or ``abab…`` does not;
- a session key (``WEB_SECRET_KEY``) with fewer than 8 distinct characters, that repeats a
  shorter string, or whose estimated entropy (its length times the Shannon entropy of its
  character frequencies) is below 80 bits (32 random hex digits hold 128 bits and are
  estimated at about 115);
- a password (``KOSKI_PASSWORD``) shorter than 8 characters, with fewer than 5 distinct
  characters, equal to its username, or a common word.
"""

from __future__ import annotations

import base64
import math
from collections import Counter
from typing import Final

# Published development secrets. They let the local stack run unconfigured and are
# refused in production. Never use them for real data.
DEV_WEBHOOK_KEY: Final = "whsec_" + base64.b64encode(b"vst-consent local webhook key 32b").decode()
DEV_PII_KEY: Final = "dev:" + base64.b64encode(b"vst-consent local PII key, 32 b!").decode()
DEV_KOSKI_PASSWORD: Final = "sandbox"  # noqa: S105 - the sandbox's published password
# The signing connector's development Ed25519 key (whsk_ seed) and Visma Sign sandbox secret.
DEV_CONNECTOR_KEY: Final = "whsk_" + base64.b64encode(b"vst-consent local connector key!").decode()
DEV_CONNECTOR_PUBLIC: Final = "whpk_4yu12lmprB3p/2Ovp0QFOKrVhoxPrbsQh7p118cH19I="  # its public key
DEV_VISMASIGN_CLIENT: Final = "00000000-0000-4000-8000-00000000f00d"
DEV_VISMASIGN_SECRET: Final = base64.b64encode(b"vst-consent local Visma Sign secret").decode()
DEV_WEB_SECRET_KEY: Final = "vst-consent local session-signing key, never in production"  # noqa: S105

# The Standard Webhooks specification's example secret, copied into many a quick start.
STANDARD_WEBHOOKS_EXAMPLE: Final = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _material(encoded: str) -> bytes:
    """The bytes behind a published ``prefix_base64`` or ``id:base64`` value."""
    return base64.b64decode(encoded.rpartition("_")[2].rpartition(":")[2])


PUBLISHED_KEYS: Final = frozenset(
    {
        _material(DEV_WEBHOOK_KEY),
        _material(DEV_PII_KEY),
        _material(DEV_CONNECTOR_KEY),
        _material(DEV_CONNECTOR_PUBLIC),  # the public key of DEV_CONNECTOR_KEY's seed
        _material(DEV_VISMASIGN_SECRET),
        _material(STANDARD_WEBHOOKS_EXAMPLE),
        bytes(range(48)),  # the Visma Sign secret of tests/unit/test_onnistuu.py
    }
)
PUBLISHED_TEXTS: Final = frozenset(
    {
        DEV_KOSKI_PASSWORD,
        DEV_WEB_SECRET_KEY.casefold(),
        "a-real-password",  # once the tests' example of a production KOSKI password
        "salasana",  # the KOSKI client test's password
    }
)
COMMON_PASSWORDS: Final = frozenset({"password", "salasana", "changeme", "12345678", "qwerty123"})

_SESSION_KEY_MIN_DISTINCT: Final = 8
_SESSION_KEY_MIN_BITS: Final = 80
_PASSWORD_MIN_LENGTH: Final = 8
_PASSWORD_MIN_DISTINCT: Final = 5


def is_published_key(material: bytes) -> bool:
    """True if ``material`` is a key this repository or a standard it follows prints."""
    return material in PUBLISHED_KEYS


def is_weak_key(material: bytes) -> bool:
    """True if ``material`` has fewer distinct byte values than half its length."""
    return len(set(material)) * 2 < len(material)


def is_published_text(text: str) -> bool:
    """True if ``text``, trimmed and in any case, is a published secret."""
    return _normal(text) in PUBLISHED_TEXTS


def is_weak_session_key(text: str) -> bool:
    """True if ``text`` has too few distinct characters, repeats itself or has too little
    estimated entropy."""
    text = text.strip()
    counts = Counter(text)
    length = len(text)
    if len(counts) < _SESSION_KEY_MIN_DISTINCT or text in (text + text)[1:-1]:
        return True  # the second test: ``text`` is a shorter string repeated
    per_character = -sum(n / length * math.log2(n / length) for n in counts.values())
    return length * per_character < _SESSION_KEY_MIN_BITS


def is_weak_password(text: str, username: str) -> bool:
    """True if ``text`` is short, of few characters, a common word or the username itself."""
    normal = _normal(text)
    return (
        len(normal) < _PASSWORD_MIN_LENGTH
        or len(set(normal)) < _PASSWORD_MIN_DISTINCT
        or normal in COMMON_PASSWORDS
        or normal == _normal(username)
    )


def _normal(text: str) -> str:
    return text.strip().casefold()
