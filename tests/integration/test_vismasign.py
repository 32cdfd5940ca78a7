"""The Visma Sign client against the sandbox over HTTP: Onnistuu authentication enforced,
documents, files, invitations, signing only as the invited person, cancel, download."""

from __future__ import annotations

import base64
import datetime as dt
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import requests

from consent.adapters.onnistuu import OnnistuuKey, signed_headers
from consent.adapters.vismasign import HttpVismaSign, VismaSignError
from consent.ports import Clock
from tests.hetus import make_hetu
from tests.net import free_port
from tests.vismasign_server import CLIENT_ID, RunningVismaSign, running_vismasign

PDF = b"%PDF-1.4\n% consent form\n%%EOF\n"


def NOW() -> dt.datetime:  # noqa: N802 - a clock, named like a constant
    return dt.datetime.now(dt.UTC)


GUARDIAN = make_hetu(dt.date(1980, 2, 2))
STRANGER = make_hetu(dt.date(1982, 3, 3))


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[RunningVismaSign]:
    with running_vismasign(tmp_path / "vismasign.db") as running:
        yield running


def client(
    sandbox: RunningVismaSign,
    key: OnnistuuKey | None = None,
    clock: Clock = NOW,
) -> HttpVismaSign:
    return HttpVismaSign(sandbox.url, key or sandbox.key, clock, timeout=(2, 5))


def test_a_document_is_signed_only_by_the_person_its_invitation_names(
    sandbox: RunningVismaSign,
) -> None:
    visma = client(sandbox)
    document = visma.create_document("Suostumus: Erätauko")
    assert visma.status(document).files == 0
    visma.add_file(document, PDF)
    assert visma.status(document).files == 1  # how a resumed invitation knows it was added
    invitation = visma.invite(document, GUARDIAN, {"email": "huoltaja@example.fi"})
    assert visma.status(document).status == "pending"
    url = visma.signing_url(invitation, "http://127.0.0.1:8000/signing/return?document=" + document)
    assert url.startswith(f"{sandbox.url}/sandbox/sign/{invitation}?returnUrl=")
    requests.get(url, timeout=10)  # the person opens the link
    refused = sandbox.sign(invitation, STRANGER)
    assert refused.status_code == 403
    assert visma.status(document).status == "pending"
    signed = sandbox.sign(invitation, GUARDIAN)
    assert signed.status_code == 303
    assert signed.headers["Location"] == f"http://127.0.0.1:8000/signing/return?document={document}"
    state = visma.status(document)
    assert (state.status, state.invitations) == ("signed", {invitation: "signed"})
    downloaded = visma.download(document)
    assert downloaded.startswith(PDF)
    assert b"vst-sandbox signature" in downloaded


def test_a_cancelled_document_can_no_longer_be_signed(sandbox: RunningVismaSign) -> None:
    visma = client(sandbox)
    document = visma.create_document("Suostumus")
    visma.add_file(document, PDF)
    invitation = visma.invite(document, GUARDIAN, {})
    visma.cancel(document)
    assert visma.status(document).status == "cancelled"
    assert sandbox.sign(invitation, GUARDIAN).status_code == 409


def test_a_wrong_key_a_stale_date_or_a_changed_body_is_refused(sandbox: RunningVismaSign) -> None:
    wrong = OnnistuuKey.parse(CLIENT_ID, base64.b64encode(os.urandom(48)).decode())
    with pytest.raises(VismaSignError) as refused:
        client(sandbox, wrong).create_document("x")
    assert refused.value.status == 401
    with pytest.raises(VismaSignError):
        client(sandbox, clock=lambda: NOW() - dt.timedelta(minutes=6)).create_document("x")
    url = f"{sandbox.url}/api/v1/document/"
    body = b'{"document":{}}'
    headers = signed_headers(sandbox.key, "POST", url, body, "application/json", NOW())
    tampered = requests.post(url, data=b'{"document":{"name":"x"}}', headers=headers, timeout=10)
    assert tampered.status_code == 401
    honest = requests.post(url, data=body, headers=headers, timeout=10)
    assert honest.status_code == 201
    assert [d["name"] for d in sandbox.documents()] == ["document"]  # only the honest one


def test_only_a_pdf_is_accepted_as_the_file(sandbox: RunningVismaSign) -> None:
    visma = client(sandbox)
    document = visma.create_document("x")
    with pytest.raises(VismaSignError) as refused:
        visma.add_file(document, b"not a pdf")
    assert refused.value.status == 400


class _Flaky(BaseHTTPRequestHandler):
    """Answers 500 to the first two reads and to every POST; counts the calls."""

    calls: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.calls.append("GET")
        if self.calls.count("GET") <= 2:
            self._answer(500, b"{}")
        else:
            self._answer(200, b'{"status": "pending", "invitations": []}')

    def do_POST(self) -> None:
        self.calls.append("POST")
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer(500, b"{}")

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


def test_a_read_is_retried_after_a_500_and_a_post_is_not(sandbox: RunningVismaSign) -> None:
    _Flaky.calls.clear()
    server = HTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        visma = HttpVismaSign(f"http://127.0.0.1:{server.server_port}", sandbox.key, NOW)
        assert visma.status("doc").status == "pending"
        with pytest.raises(VismaSignError):
            visma.create_document("x")  # may have been half done: not repeated blindly
    finally:
        server.shutdown()
        thread.join()
    assert _Flaky.calls == ["GET", "GET", "GET", "POST"]


def test_a_service_that_cannot_be_reached_fails_after_its_retries() -> None:
    key = OnnistuuKey.parse(CLIENT_ID, base64.b64encode(os.urandom(48)).decode())
    visma = HttpVismaSign(f"http://127.0.0.1:{free_port()}", key, NOW, timeout=(1, 1))
    with pytest.raises(requests.ConnectionError):
        visma.status("doc")
