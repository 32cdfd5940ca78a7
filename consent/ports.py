"""The seams of the domain core, as ``typing.Protocol``s.

Adapters in :mod:`consent.adapters` implement them for production; tests may pass
in-memory fakes instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Sealed:
    """A sealed (encrypted and authenticated) value and the id of the key that sealed it."""

    key_id: str
    blob: bytes = field(repr=False)


class PiiCipher(Protocol):
    """Seals personal data at rest and derives keyed blind indexes for lookups.

    ``purpose`` names the field (``"participant.hetu"``); a value sealed for one purpose
    does not open as another, and indexes of different purposes never collide.
    """

    def seal(self, plaintext: str, purpose: str) -> Sealed:
        """Encrypt ``plaintext`` under the current key."""
        ...

    def open(self, sealed: Sealed, purpose: str) -> str:
        """Decrypt, or raise :class:`consent.errors.TamperedCiphertext`."""
        ...

    def seal_bytes(self, data: bytes, purpose: str) -> Sealed:
        """Encrypt raw bytes (a signed webhook body) under the current key."""
        ...

    def open_bytes(self, sealed: Sealed, purpose: str) -> bytes:
        """Decrypt raw bytes, or raise :class:`consent.errors.TamperedCiphertext`."""
        ...

    def blind_index(self, value: str, purpose: str) -> str:
        """The index of ``value`` under the current key, to store beside the sealed value."""
        ...

    def blind_indexes(self, value: str, purpose: str) -> tuple[str, ...]:
        """The index of ``value`` under every configured key, to look a row up by."""
        ...
