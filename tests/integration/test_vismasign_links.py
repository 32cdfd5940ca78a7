"""The Visma Sign client takes a signing address only if it is a web page: a ``javascript:``
or ``data:`` address (or plain http from an https service) is refused where it is received."""

from __future__ import annotations

import base64
import datetime as dt
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest

from consent.adapters.onnistuu import OnnistuuKey
from consent.adapters.vismasign import HttpVismaSign, UnsafeSigningUrl
from tests.vismasign_server import CLIENT_ID

KEY = OnnistuuKey.parse(CLIENT_ID, base64.b64encode(os.urandom(48)).decode())


class _Signature(BaseHTTPRequestHandler):
    """Answers every POST 201 with ``location`` as its Location header."""

    location: ClassVar[str] = ""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(201)
        self.send_header("Location", self.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def service() -> Iterator[str]:
    """The address of a stand-in for Visma Sign's signature call."""
    server = HTTPServer(("127.0.0.1", 0), _Signature)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def signing_url(base: str, location: str) -> str:
    _Signature.location = location
    visma = HttpVismaSign(base, KEY, lambda: dt.datetime.now(dt.UTC), timeout=(2, 5))
    return visma.signing_url("inv-1", "https://vst.example/signing/return?document=d")


@pytest.mark.parametrize(
    "location",
    ["javascript:alert(1)", "data:text/html,x", "//evil.example/x", "https:x", "https://[::1"],
)
def test_a_signing_address_that_is_not_a_web_page_is_refused(service: str, location: str) -> None:
    with pytest.raises(UnsafeSigningUrl) as refused:
        signing_url(service, location)
    assert location not in str(refused.value)


def test_a_web_address_is_taken_and_plain_http_from_a_service_reached_over_http(
    service: str,
) -> None:
    assert signing_url(service, "https://sign.example/s/1") == "https://sign.example/s/1"
    assert signing_url(service, "http://127.0.0.1:1/s/1") == "http://127.0.0.1:1/s/1"
