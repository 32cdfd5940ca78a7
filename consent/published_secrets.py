"""Secrets that must never guard production data: the published ones and the guessable.

The development defaults below let the local stack run with no configuration at all. They,
and every other key or password that this repository or the standards it follows print, are
public, so production refuses them (``consent.config``), and refuses anything that holds one
of them whole or in part:

- keys are compared by their decoded bytes, so another base64 spelling, another key id or
  another variable does not hide one. HMAC (RFC 2104) pads a key shorter than the hash's
  block with zero bytes, so ``key`` and ``key + NUL…`` sign alike: trailing NUL bytes are
  stripped before comparing. A key that holds a published one with bytes added before or
  after is only as secret as the bytes added, and one with a byte changed as that byte: a key
  sharing any 12 consecutive bytes with a published key is refused (one changed byte in a
  published key of 24 bytes or more leaves 12 in a row);
- texts are compared without whitespace or format characters (U+200B and the like), in NFKC
  and casefolded, and a text that holds any 12 consecutive characters of a published text or
  key (or all of a shorter one, as ``sandbox``) is refused.

Guessable (documented in the README; zxcvbn judges the texts, given this deployment's own words,
the KOSKI username, the organiser, ``sandbox``, ``koski``…, as known to the attacker):

- a key of our own (HMAC secret, PII key, Ed25519 seed or public key) that is all printable
  ASCII (typed text), mostly an arithmetic run or a repeated block, or has no more distinct
  byte values than half its length (``is_weak_key``); a Visma Sign secret, which Visma Sign
  issues in a form we do not know, only if it has fewer distinct byte values than half its
  length (``is_low_variety_key``). Random bytes of 24 or more pass with near certainty;
  32 times the same byte, ``abab…`` or a phrase do not;
- a session key (``WEB_SECRET_KEY``) below zxcvbn's score 4, with fewer than 8 distinct
  characters, that repeats a shorter string, or whose estimated entropy (its length times the
  Shannon entropy of its character frequencies) is below 80 bits: zxcvbn's 4 only means
  10^10 guesses, too few for a key a stolen cookie lets anyone test offline, and it scores
  40 random letters of ``abc`` (63 bits) a 4;
- a password (``KOSKI_PASSWORD``) below zxcvbn's score 3 (10^8 guesses; the password is
  guessed only online, against KOSKI itself), which also refuses anything shorter than 8
  characters, common words and the username with a digit added.
"""

from __future__ import annotations

import base64
import math
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import AnyStr, Final

from zxcvbn import zxcvbn

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
# Passwords the tests print (as examples of strong ones, or as the accounts they log in with).
_PRINTED_PASSWORDS: Final = (
    "a-real-password",
    "salasana",  # the KOSKI client test's
    "Kes\u00e4kuu-2026/palvelu#7",
    "pitk\u00e4-ja-hyv\u00e4-salasana",
    "operaattorin-salasana",
    "Er\u00e4tauko-2026-salasana",
    "not-the-password",
)
# Words an attacker of this service tries first (zxcvbn's user_inputs, with the deployment's own).
SERVICE_WORDS: Final = ("sandbox", "vst-consent", "consent", "koski", "salasana", "palvelukayttaja")

_PIECE: Final = 12  # consecutive characters or bytes of a published secret that may not appear
_ZXCVBN_MAX: Final = 72  # zxcvbn refuses longer inputs (its matching grows with the square)
_SESSION_KEY_SCORE: Final = 4
_SESSION_KEY_MIN_DISTINCT: Final = 8
_SESSION_KEY_MIN_BITS: Final = 80
_PASSWORD_SCORE: Final = 3


def _normal(text: str) -> str:
    """``text`` as compared: NFKC, without whitespace or format characters, casefolded."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(
        c for c in text if not c.isspace() and unicodedata.category(c) != "Cf"
    ).casefold()


def _as_texts(key: bytes) -> list[str]:
    """A published key as it is printed: its base64 and, if its bytes are plain text, those."""
    texts = [base64.b64encode(key).decode()]
    if key.isascii() and key.decode().isprintable():
        texts.append(key.decode())
    return texts


PUBLISHED_TEXTS: Final = frozenset(
    _normal(text)
    for text in (
        DEV_KOSKI_PASSWORD,
        DEV_WEB_SECRET_KEY,
        *_PRINTED_PASSWORDS,
        *(text for key in PUBLISHED_KEYS for text in _as_texts(key)),
    )
)


def _holds_a_piece(value: AnyStr, published: AnyStr) -> bool:
    """True if ``value`` holds ``published`` whole or any ``_PIECE`` consecutive items of it."""
    if len(published) <= _PIECE:
        return published in value
    pieces = (published[i : i + _PIECE] for i in range(len(published) - _PIECE + 1))
    return any(piece in value for piece in pieces)


def is_published_key(material: bytes) -> bool:
    """True if ``material``, with HMAC's zero padding stripped, holds a published key or
    12 consecutive bytes of one."""
    material = material.rstrip(b"\0")
    return any(_holds_a_piece(material, key.rstrip(b"\0")) for key in PUBLISHED_KEYS)


def is_weak_key(material: bytes) -> bool:
    """True if key material we generate ourselves (an HMAC secret, an Ed25519 public key or
    seed, a PII key) is not random bytes: typed text, a byte pattern, or low variety.

    - every byte printable ASCII (0x20-0x7E): a typed phrase; 24 random bytes are all printable
      with probability (95/256)^24, about 5e-11;
    - more than a quarter of its positions predictable from the bytes before (``_predictable``):
      an arithmetic run such as ``range(100, 132)`` or a short block repeated; random bytes of
      24 do that with probability about 4e-9, longer ones less (each position has a 1/256 chance);
    - no more distinct byte values than half its length: 24 random bytes have about 23,
      32 about 30 and 64 about 57.
    """
    return (
        _is_printable(material)
        or _predictable(material) * 4 > len(material)
        or is_low_variety_key(material)
    )


def is_low_variety_key(material: bytes) -> bool:
    """True if ``material`` has fewer distinct byte values than half its length: the only rule
    for a key another party issues (``VISMASIGN_SECRET``), whose form we do not know."""
    return len(set(material)) * 2 < len(material)


_PRINTABLE: Final = bytes(range(0x20, 0x7F))


def _is_printable(material: bytes) -> bool:
    """True if every byte of ``material`` is printable ASCII (0x20-0x7E)."""
    return not material.translate(None, _PRINTABLE)


def _predictable(material: bytes) -> int:
    """The most positions of ``material`` that, for one lag ``p`` (1 to half its length),
    continue the previous byte difference (modulo 256) or repeat the byte ``p`` positions
    back: an arithmetic run continues its difference, a block of ``p`` bytes repeated repeats
    at lag ``p``."""
    continuing = {
        i
        for i in range(2, len(material))
        if (material[i] - material[i - 1] - material[i - 1] + material[i - 2]) % 256 == 0
    }
    repeating: dict[int, set[int]] = {}
    for positions in _positions_by_byte(material):
        for n, earlier in enumerate(positions):
            for later in positions[n + 1 :]:
                if later - earlier <= len(material) // 2:
                    repeating.setdefault(later - earlier, set()).add(later)
    return max((len(continuing | at_lag) for at_lag in repeating.values()), default=len(continuing))


def _positions_by_byte(material: bytes) -> list[list[int]]:
    """The positions of each byte value that occurs more than once in ``material`` (random
    bytes have few such pairs, so comparing only these keeps the check fast)."""
    positions: dict[int, list[int]] = {}
    for i, byte in enumerate(material):
        positions.setdefault(byte, []).append(i)
    return [found for found in positions.values() if len(found) > 1]


def is_published_text(text: str) -> bool:
    """True if ``text`` (whitespace, format characters and case aside) holds a published text
    or key, or 12 consecutive characters of one."""
    normal = _normal(text)
    return any(_holds_a_piece(normal, published) for published in PUBLISHED_TEXTS)


def is_weak_session_key(text: str, known_words: Iterable[str]) -> bool:
    """True if zxcvbn scores ``text`` below 4, or it has too few distinct characters, repeats
    itself or has too little estimated entropy (what zxcvbn's score does not catch)."""
    text = text.strip()
    counts = Counter(text)
    length = len(text)
    if len(counts) < _SESSION_KEY_MIN_DISTINCT or text in (text + text)[1:-1]:
        return True  # the second test: ``text`` is a shorter string repeated
    per_character = -sum(n / length * math.log2(n / length) for n in counts.values())
    return (
        length * per_character < _SESSION_KEY_MIN_BITS
        or _score(text, known_words) < _SESSION_KEY_SCORE
    )


def is_weak_password(text: str, known_words: Iterable[str]) -> bool:
    """True if zxcvbn scores ``text`` below 3 (common words, the username and the deployment's
    own words known to the attacker)."""
    return _score(text, known_words) < _PASSWORD_SCORE


def _score(text: str, known_words: Iterable[str]) -> int:
    """zxcvbn's score (0-4) of ``text``, judged in pieces of zxcvbn's 72-character limit:
    guessing the whole takes at least as long as guessing its hardest piece."""
    if not text:
        return 0  # zxcvbn fails on an empty string
    words = [*SERVICE_WORDS, *known_words]
    pieces = (text[i : i + _ZXCVBN_MAX] for i in range(0, len(text), _ZXCVBN_MAX))
    return max(int(zxcvbn(piece, user_inputs=words)["score"]) for piece in pieces)
