"""Standard Webhooks verification, cross-checked against the ``standardwebhooks`` package."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import string
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks import Webhook

from consent.adapters.webhook_sender import Signer, generate_keypair
from consent.config import WebhookKey
from tests.signing import ed25519_pair, hmac_secret, keys, sign_v1, sign_v1a
from web.intake.signature import SignatureRejected, verify

NOW = 1_788_250_500
BODY = b'{"type":"consent.signed"}'
SECRET = hmac_secret()


def headers(
    webhook_id: str = "msg_1", timestamp: object = NOW, signature: str = ""
) -> Callable[[str], list[str]]:
    values = {
        "webhook-id": [webhook_id],
        "webhook-timestamp": [str(timestamp)],
        "webhook-signature": [signature],
    }
    return lambda name: values.get(name, [])


def signed(
    secret: str = SECRET, webhook_id: str = "msg_1", timestamp: int = NOW, body: bytes = BODY
) -> Callable[[str], list[str]]:
    return headers(webhook_id, timestamp, sign_v1(secret, webhook_id, timestamp, body))


def reason(
    header: Callable[[str], list[str]],
    body: bytes = BODY,
    trusted: tuple[WebhookKey, ...] | None = None,
) -> str:
    with pytest.raises(SignatureRejected) as caught:
        verify(header, body, trusted or keys(SECRET), NOW)
    return caught.value.reason


def test_a_v1_signature_made_by_the_reference_library_verifies() -> None:
    signature = Webhook(SECRET).sign("msg_1", dt.datetime.fromtimestamp(NOW, dt.UTC), BODY.decode())
    verified = verify(headers(signature=signature), BODY, keys(SECRET), NOW)
    assert verified.webhook_id == "msg_1"
    assert verified.timestamp == NOW
    assert verified.key_id == keys(SECRET)[0].key_id


def test_the_simulator_signs_exactly_as_the_reference_library() -> None:
    expected = Webhook(SECRET).sign("msg_9", dt.datetime.fromtimestamp(NOW, dt.UTC), BODY.decode())
    assert Signer.parse(SECRET).sign("msg_9", NOW, BODY) == expected


def test_an_ed25519_signature_from_a_trusted_key_verifies() -> None:
    private, public = ed25519_pair()
    header = headers(signature=sign_v1a(private, "msg_1", NOW, BODY))
    assert verify(header, BODY, keys(public), NOW).key_id == keys(public)[0].key_id


def test_the_simulator_s_ed25519_keys_verify() -> None:
    private, public = generate_keypair()
    header = headers(signature=Signer.parse(private).sign("msg_1", NOW, BODY))
    assert verify(header, BODY, keys(public), NOW).key_id == keys(public)[0].key_id


def test_an_ed25519_signature_from_an_untrusted_key_is_rejected() -> None:
    private, _ = ed25519_pair()
    _, trusted = ed25519_pair()
    assert (
        reason(headers(signature=sign_v1a(private, "msg_1", NOW, BODY)), trusted=keys(trusted))
        == "no_matching_signature"
    )


def test_during_rotation_either_key_passes_and_the_match_is_named() -> None:
    old, new = hmac_secret(), hmac_secret()
    trusted = keys(new, old)
    assert verify(signed(old), BODY, trusted, NOW).key_id == trusted[1].key_id
    both = f"{sign_v1(new, 'msg_1', NOW, BODY)} {sign_v1(old, 'msg_1', NOW, BODY)}"
    assert verify(headers(signature=both), BODY, trusted, NOW).key_id == trusted[0].key_id


def test_a_signature_by_a_retired_key_is_rejected() -> None:
    assert reason(signed(hmac_secret())) == "no_matching_signature"


@pytest.mark.parametrize(
    "tampered", [BODY + b" ", BODY.replace(b"signed", b"cancel"), b"", BODY[:-1]]
)
def test_a_changed_body_is_rejected(tampered: bytes) -> None:
    assert reason(signed(), body=tampered) == "no_matching_signature"


def test_the_id_and_timestamp_are_part_of_what_is_signed() -> None:
    signature = sign_v1(SECRET, "msg_1", NOW, BODY)
    assert reason(headers("msg_2", NOW, signature)) == "no_matching_signature"
    assert reason(headers("msg_1", NOW - 1, signature)) == "no_matching_signature"


@pytest.mark.parametrize(
    ("offset", "expected"), [(-301, "stale_timestamp"), (301, "future_timestamp")]
)
def test_timestamps_outside_five_minutes_are_rejected(offset: int, expected: str) -> None:
    assert reason(signed(timestamp=NOW + offset)) == expected


@pytest.mark.parametrize("offset", [-300, 300])
def test_timestamps_at_the_edge_of_the_window_pass(offset: int) -> None:
    assert verify(signed(timestamp=NOW + offset), BODY, keys(SECRET), NOW).timestamp == NOW + offset


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_each_missing_header_is_rejected(missing: str) -> None:
    full = signed()
    assert (
        reason(lambda name: [] if name == missing else full(name))
        == f"missing_{missing.replace('-', '_')}"
    )


def test_a_repeated_header_is_rejected() -> None:
    full = signed()
    assert (
        reason(lambda name: full(name) * 2 if name == "webhook-id" else full(name))
        == "repeated_webhook_id"
    )


@pytest.mark.parametrize("webhook_id", ["msg.1", "", "x" * 129, "msg 1", "msg/1", "mäsg"])
def test_malformed_ids_are_rejected(webhook_id: str) -> None:
    assert (
        reason(headers(webhook_id, NOW, sign_v1(SECRET, webhook_id, NOW, BODY))) == "malformed_id"
    )


@pytest.mark.parametrize(
    "timestamp", [f"{NOW}.9", f"{NOW}000", "-1", " 1788250500", "1e9", "", "0x6a"]
)
def test_malformed_timestamps_are_rejected(timestamp: str) -> None:
    assert (
        reason(headers("msg_1", timestamp, sign_v1(SECRET, "msg_1", NOW, BODY)))
        == "malformed_timestamp"
    )


def _signed_text(timestamp: str) -> Callable[[str], list[str]]:
    """Headers signed over exactly ``timestamp`` as written (``sign_v1`` takes a number)."""
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    mac = hmac.new(key, f"msg_1.{timestamp}.".encode() + BODY, hashlib.sha256).digest()
    return headers("msg_1", timestamp, "v1," + base64.b64encode(mac).decode())


@pytest.mark.parametrize("timestamp", [f"0{NOW}", f"000{NOW}", f"+{NOW}", "00"])
def test_a_timestamp_signed_with_leading_zeros_or_a_sign_is_malformed(timestamp: str) -> None:
    # Signed over exactly that text, yet stored as an integer that would not give it back.
    assert reason(_signed_text(timestamp)) == "malformed_timestamp"


@given(st.text("0123456789+-", min_size=1, max_size=13))
def test_an_accepted_timestamp_is_exactly_the_text_of_the_stored_integer(text: str) -> None:
    try:
        seconds = int(text)
    except ValueError:
        seconds = NOW
    try:
        verified = verify(_signed_text(text), BODY, keys(SECRET), seconds)
    except SignatureRejected as rejected:
        late = rejected.signed_outside_window
        assert late is None or str(late.timestamp) == text
        return
    assert str(verified.timestamp) == text


GOOD = sign_v1(SECRET, "msg_1", NOW, BODY)


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "v1",
        GOOD.replace(",", ""),
        f"{GOOD}  {GOOD}",
        f" {GOOD}",
        "v1,not*base64",
        "v1," + base64.b64encode(b"x" * 31).decode(),
        "v1a," + base64.b64encode(b"x" * 63).decode(),
        " ".join([GOOD] * 9),
        "V1," + GOOD[3:],
        "v1,YWJj=",
    ],
)
def test_malformed_signature_headers_are_rejected(signature: str) -> None:
    assert reason(headers(signature=signature)) == "malformed_signature"


def test_unknown_versions_are_ignored_but_do_not_pass_alone() -> None:
    assert (
        verify(headers(signature=f"v2,abcd {GOOD}"), BODY, keys(SECRET), NOW).webhook_id == "msg_1"
    )
    assert reason(headers(signature="v2,abcd")) == "no_matching_signature"


def test_an_hmac_signature_is_not_accepted_as_ed25519_or_the_reverse() -> None:
    private, public = ed25519_pair()
    as_v1a = "v1a," + base64.b64encode(base64.b64decode(GOOD[3:]) * 2).decode()
    assert (
        reason(headers(signature=as_v1a), trusted=keys(SECRET, public)) == "no_matching_signature"
    )
    v1a = sign_v1a(private, "msg_1", NOW, BODY)
    assert reason(headers(signature=v1a), trusted=keys(SECRET)) == "no_matching_signature"


ids = st.text(alphabet=string.ascii_letters + string.digits + "_-", min_size=1, max_size=128)


@given(webhook_id=ids, body=st.text(max_size=300), skew=st.integers(-300, 300))
def test_whatever_the_reference_library_signs_verifies(
    webhook_id: str, body: str, skew: int
) -> None:
    signature = Webhook(SECRET).sign(
        webhook_id, dt.datetime.fromtimestamp(NOW + skew, dt.UTC), body
    )
    verified = verify(headers(webhook_id, NOW + skew, signature), body.encode(), keys(SECRET), NOW)
    assert verified.webhook_id == webhook_id


@given(body=st.text(max_size=300), flip=st.integers(0, 299))
def test_the_reference_library_and_this_verifier_agree_on_tampering(body: str, flip: int) -> None:
    signature = Webhook(SECRET).sign("msg_1", dt.datetime.fromtimestamp(NOW, dt.UTC), body)
    raw = bytearray(body.encode())
    if not raw:
        return
    raw[flip % len(raw)] ^= 0x01
    with pytest.raises(SignatureRejected):
        verify(headers(signature=signature), bytes(raw), keys(SECRET), NOW)


header_text = st.text(max_size=300)


@given(
    webhook_id=header_text,
    timestamp=header_text,
    signature=header_text,
    body=st.binary(max_size=300),
)
def test_any_headers_and_body_are_either_verified_or_rejected_never_an_error(
    webhook_id: str, timestamp: str, signature: str, body: bytes
) -> None:
    with pytest.raises(SignatureRejected):
        verify(
            headers(webhook_id, timestamp, signature), body, keys(SECRET, ed25519_pair()[1]), NOW
        )
