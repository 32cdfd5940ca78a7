"""AES-GCM sealing and HMAC blind indexes for personal data at rest.

Each configured key yields two independent subkeys by HKDF-SHA256: one for AES-256-GCM,
one for HMAC-SHA256 indexes. A sealed blob is ``nonce (12 bytes) || ciphertext || tag``;
the key id and the purpose are authenticated as associated data, so a value moved to
another column, or relabelled with another key id, fails to open.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from consent.config import PiiKey
from consent.errors import TamperedCiphertext
from consent.ports import Sealed

_NONCE_LEN: Final = 12
_SEAL_INFO: Final = b"vst-consent/pii/aes-256-gcm/v1"
_INDEX_INFO: Final = b"vst-consent/pii/blind-index/v1"


class AesGcmCipher:
    """:class:`consent.ports.PiiCipher` over a ring of keys; the first one seals."""

    def __init__(self, keys: Sequence[PiiKey]) -> None:
        if not keys:
            raise ValueError("at least one PII key is needed")
        self._current = keys[0].key_id
        self._aead = {k.key_id: AESGCM(_derive(k.material, _SEAL_INFO)) for k in keys}
        self._index_keys = {k.key_id: _derive(k.material, _INDEX_INFO) for k in keys}

    @property
    def current_key_id(self) -> str:
        """The id of the key new values are sealed and indexed with."""
        return self._current

    @property
    def key_ids(self) -> tuple[str, ...]:
        """Every configured key id, current first."""
        return tuple(self._aead)

    def seal(self, plaintext: str, purpose: str) -> Sealed:
        """Encrypt text under the current key."""
        return self.seal_bytes(plaintext.encode(), purpose)

    def open(self, sealed: Sealed, purpose: str) -> str:
        """Decrypt text; any alteration raises TamperedCiphertext."""
        return self.open_bytes(sealed, purpose).decode()

    def seal_bytes(self, data: bytes, purpose: str) -> Sealed:
        """Encrypt bytes under the current key with a fresh random nonce."""
        nonce = os.urandom(_NONCE_LEN)
        aad = _aad(self._current, purpose)
        return Sealed(self._current, nonce + self._aead[self._current].encrypt(nonce, data, aad))

    def open_bytes(self, sealed: Sealed, purpose: str) -> bytes:
        """Decrypt and authenticate bytes; any alteration raises TamperedCiphertext."""
        aead = self._aead.get(sealed.key_id)
        if aead is None or len(sealed.blob) < _NONCE_LEN + 16:
            raise TamperedCiphertext("sealed value cannot be opened with the configured keys")
        nonce, body = sealed.blob[:_NONCE_LEN], sealed.blob[_NONCE_LEN:]
        try:
            return aead.decrypt(nonce, body, _aad(sealed.key_id, purpose))
        except InvalidTag:
            raise TamperedCiphertext("sealed value failed authentication") from None

    def blind_index(self, value: str, purpose: str) -> str:
        """HMAC-SHA256 of the purpose and value under the current key, hex encoded."""
        return _index(self._index_keys[self._current], value, purpose)

    def blind_indexes(self, value: str, purpose: str) -> tuple[str, ...]:
        """The index under every configured key, current first."""
        return tuple(_index(key, value, purpose) for key in self._index_keys.values())

    def index_key_id(self, value: str, purpose: str, index: str) -> str | None:
        """Which configured key made ``index`` of ``value``, or None when none of them did: a
        stored index does not say, so it is computed under each key and compared."""
        for key_id, key in self._index_keys.items():
            if hmac.compare_digest(_index(key, value, purpose), index):
                return key_id
        return None


def _derive(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material)


def _aad(key_id: str, purpose: str) -> bytes:
    return f"{key_id}\x00{purpose}".encode()


def _index(key: bytes, value: str, purpose: str) -> str:
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()
