"""The Onnistuu header, checked against the same signature computed by OpenSSL's command line
(an implementation independent of ours)."""

from __future__ import annotations

import base64
import datetime as dt
import subprocess

from consent.adapters.onnistuu import OnnistuuKey, content_md5, signed_headers, string_to_sign

SECRET = base64.b64encode(bytes(range(48))).decode()
KEY = OnnistuuKey.parse("3f3a0b5e-1d2c-4c1a-9a3e-0e6d2b8f6a11", SECRET)
BODY = b'{"document":{"name":"Suostumus"}}'
WHEN = dt.datetime(2026, 9, 1, 8, 15, tzinfo=dt.UTC)


def _openssl(args: list[str], data: bytes) -> bytes:
    return subprocess.run(
        ["openssl", *args], input=data, capture_output=True, check=True, timeout=30
    ).stdout


def test_the_string_to_sign_joins_method_digest_type_date_and_path_with_query() -> None:
    text = string_to_sign(
        "post",
        BODY,
        "application/json",
        "Tue, 01 Sep 2026 08:15:00 GMT",
        "https://sign.visma.net/api/v1/document/?x=1",
    )
    md5 = base64.b64encode(_openssl(["dgst", "-md5", "-binary"], BODY)).decode()
    assert text == (
        f"POST\n{md5}\napplication/json\nTue, 01 Sep 2026 08:15:00 GMT\n/api/v1/document/?x=1"
    )


def test_the_header_matches_an_hmac_sha512_computed_by_openssl() -> None:
    url = "https://sign.visma.net/api/v1/document/"
    headers = signed_headers(KEY, "POST", url, BODY, "application/json", WHEN)
    assert headers["Date"] == "Tue, 01 Sep 2026 08:15:00 GMT"
    text = string_to_sign("POST", BODY, "application/json", headers["Date"], url)
    hexkey = base64.b64decode(SECRET).hex()
    mac = _openssl(
        ["dgst", "-sha512", "-mac", "HMAC", "-macopt", f"hexkey:{hexkey}", "-binary"], text.encode()
    )
    expected = f"Onnistuu {KEY.client_id}:{base64.b64encode(mac).decode()}"
    assert headers["Authorization"] == expected
    assert headers["Content-MD5"] == content_md5(BODY)


def test_a_get_signs_the_digest_of_the_empty_body() -> None:
    assert content_md5(b"") == "1B2M2Y8AsgTpgAmY7PhCfg=="  # RFC 1321's MD5("") in base64
