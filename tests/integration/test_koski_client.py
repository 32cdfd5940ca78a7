"""The KOSKI client's request (path, UTF-8 JSON, Basic auth, Caller-Id, CSRF) and failures."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from consent.adapters.koski import HttpKoski
from tests.net import free_port

SEEN: list[dict[str, Any]] = []


@Request.application
def recorder(request: Request) -> Response:
    SEEN.append(
        {
            "method": request.method,
            "path": request.path,
            "headers": dict(request.headers),
            "cookies": dict(request.cookies),
            "body": request.get_data(),
        }
    )
    return Response(
        json.dumps({"opiskeluoikeudet": [{"oid": "1.2.246.562.15.1", "versionumero": 1}]}),
        mimetype="application/json",
    )


@pytest.fixture
def server() -> Iterator[str]:
    SEEN.clear()
    httpd = make_server("127.0.0.1", 0, recorder, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/koski"
    httpd.shutdown()
    thread.join()


def test_a_put_carries_everything_koski_asks_for(server: str) -> None:
    client = HttpKoski(server + "/", "palvelu", "salasana", "1.2.246.562.10.1.vst-consent")
    answer = client.put_oppija({"henkilö": {"sukunimi": "Äijälä"}})
    assert answer.status == 200
    [request] = SEEN
    assert (request["method"], request["path"]) == ("PUT", "/koski/api/oppija")
    headers = request["headers"]
    assert headers["Content-Type"] == "application/json; charset=UTF-8"
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"palvelu:salasana").decode()
    assert headers["Caller-Id"] == "1.2.246.562.10.1.vst-consent"
    assert headers["Csrf"] == request["cookies"]["CSRF"]
    assert json.loads(request["body"]) == {"henkilö": {"sukunimi": "Äijälä"}}


def test_no_answer_is_an_answer_without_a_status() -> None:
    client = HttpKoski(f"http://127.0.0.1:{free_port()}/koski", "u", "p", "c", timeout=(0.5, 0.5))
    answer = client.put_oppija({})
    assert answer.status is None
    assert answer.transport_error == "ConnectionError"


def test_a_read_asks_for_the_record_by_its_oid_with_basic_auth_and_caller_id(server: str) -> None:
    client = HttpKoski(server, "palvelu", "salasana", "1.2.246.562.10.1.vst-consent")
    answer = client.get_opiskeluoikeus("1.2.246.562.15.12345678901")
    assert answer.status == 200
    [request] = SEEN
    assert (request["method"], request["path"], request["body"]) == (
        "GET",
        "/koski/api/opiskeluoikeus/1.2.246.562.15.12345678901",
        b"",
    )
    headers = request["headers"]
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"palvelu:salasana").decode()
    assert headers["Caller-Id"] == "1.2.246.562.10.1.vst-consent"
