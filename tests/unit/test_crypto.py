"""Sealing personal data: confidentiality, tamper detection, purposes and key rotation."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consent.adapters.crypto import AesGcmCipher
from consent.config import PiiKey
from consent.errors import TamperedCiphertext
from consent.ports import Sealed

OLD = PiiKey("k2025", os.urandom(32))
NEW = PiiKey("k2026", os.urandom(32))
SECRET = "010203A456B"


def test_a_sealed_value_opens_to_what_was_sealed_and_hides_it() -> None:
    cipher = AesGcmCipher([NEW])
    sealed = cipher.seal(SECRET, "participant.hetu")
    assert SECRET.encode() not in sealed.blob
    assert sealed.key_id == "k2026"
    assert cipher.open(sealed, "participant.hetu") == SECRET


def test_sealing_twice_gives_different_ciphertexts() -> None:
    cipher = AesGcmCipher([NEW])
    assert cipher.seal(SECRET, "p").blob != cipher.seal(SECRET, "p").blob


@pytest.mark.parametrize("position", [0, 11, 12, 20, -1])
def test_a_flipped_bit_anywhere_is_detected_not_decrypted(position: int) -> None:
    cipher = AesGcmCipher([NEW])
    blob = bytearray(cipher.seal(SECRET, "p").blob)
    blob[position] ^= 0x01
    with pytest.raises(TamperedCiphertext):
        cipher.open(Sealed("k2026", bytes(blob)), "p")


def test_a_truncated_ciphertext_is_detected() -> None:
    cipher = AesGcmCipher([NEW])
    with pytest.raises(TamperedCiphertext):
        cipher.open(Sealed("k2026", cipher.seal(SECRET, "p").blob[:20]), "p")


def test_a_value_moved_to_another_column_does_not_open() -> None:
    cipher = AesGcmCipher([NEW])
    with pytest.raises(TamperedCiphertext):
        cipher.open(cipher.seal(SECRET, "consent.signer"), "participant.hetu")


def test_a_value_relabelled_with_another_key_id_does_not_open() -> None:
    cipher = AesGcmCipher([NEW, OLD])
    sealed = cipher.seal(SECRET, "p")
    with pytest.raises(TamperedCiphertext):
        cipher.open(Sealed("k2025", sealed.blob), "p")


def test_a_value_under_a_removed_key_is_refused_cleanly() -> None:
    sealed = AesGcmCipher([OLD]).seal(SECRET, "p")
    with pytest.raises(TamperedCiphertext):
        AesGcmCipher([NEW]).open(sealed, "p")


def test_a_value_sealed_under_the_old_key_still_opens_after_rotation() -> None:
    sealed_before = AesGcmCipher([OLD]).seal(SECRET, "p")
    rotated = AesGcmCipher([NEW, OLD])
    assert rotated.open(sealed_before, "p") == SECRET
    assert rotated.seal(SECRET, "p").key_id == "k2026"


def test_lookups_after_rotation_cover_indexes_made_under_the_old_key() -> None:
    before = AesGcmCipher([OLD]).blind_index(SECRET, "p")
    rotated = AesGcmCipher([NEW, OLD])
    assert rotated.blind_index(SECRET, "p") != before
    assert rotated.blind_indexes(SECRET, "p") == (rotated.blind_index(SECRET, "p"), before)


def test_blind_indexes_are_stable_keyed_and_separated_by_purpose() -> None:
    cipher = AesGcmCipher([NEW])
    assert cipher.blind_index(SECRET, "a") == AesGcmCipher([NEW]).blind_index(SECRET, "a")
    assert cipher.blind_index(SECRET, "a") != cipher.blind_index(SECRET, "b")
    assert cipher.blind_index(SECRET, "a") != AesGcmCipher([OLD]).blind_index(SECRET, "a")
    assert SECRET not in cipher.blind_index(SECRET, "a")


@given(text=st.text(max_size=500), purpose=st.text(min_size=1, max_size=40))
def test_any_text_survives_a_round_trip(text: str, purpose: str) -> None:
    cipher = AesGcmCipher([NEW, OLD])
    assert cipher.open(cipher.seal(text, purpose), purpose) == text


@given(data=st.binary(max_size=2048))
def test_any_bytes_survive_a_round_trip(data: bytes) -> None:
    cipher = AesGcmCipher([NEW])
    assert (
        cipher.open_bytes(cipher.seal_bytes(data, "webhook_inbox.body"), "webhook_inbox.body")
        == data
    )
