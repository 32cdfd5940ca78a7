"""The KOSKI REST client: Basic auth, UTF-8 JSON, Caller-Id, timeouts.

It never raises for an HTTP or transport failure: every outcome is a
:class:`consent.koski_answers.KoskiAnswer`, classified by the caller. It logs no payload.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import quote

import requests

from consent.koski_answers import KoskiAnswer

CONNECT_TIMEOUT: Final = 5.0
TIMEOUT: Final = (CONNECT_TIMEOUT, 30.0)  # connect, read: KOSKI's load balancer idles out at 30 s


class HttpKoski:
    """Talks to ``{base_url}/api/...`` as one service user."""

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        caller_id: str,
        *,
        session: requests.Session | None = None,
        on_answer: Callable[[KoskiAnswer], None] | None = None,
        timeout: tuple[float, float] = TIMEOUT,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._session = session or requests.Session()
        self._session.auth = (username, password)
        # KOSKI wants a CSRF header and cookie with the same value on non-GET calls.
        self._session.headers.update(
            {"Caller-Id": caller_id, "CSRF": caller_id, "Accept": "application/json"}
        )
        self._session.cookies.set("CSRF", caller_id)
        self._timeout = timeout
        self._on_answer = on_answer

    def close(self) -> None:
        """Close kept-alive connections (a later call opens a new one)."""
        self._session.close()

    def put_oppija(self, payload: dict[str, Any]) -> KoskiAnswer:
        """``PUT /api/oppija``: create or update a study right."""
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=UTF-8"}
        return self._call("PUT", "/api/oppija", data=body, headers=headers)

    def get_opiskeluoikeus(self, oid: str) -> KoskiAnswer:
        """``GET /api/opiskeluoikeus/{oid}``: the study right as KOSKI holds it (404 once it
        is gone: invalidated, or deleted on the participant's revocation)."""
        return self._call("GET", f"/api/opiskeluoikeus/{quote(oid, safe='')}")

    def _call(self, method: str, path: str, **kwargs: Any) -> KoskiAnswer:
        answer = self._request(method, path, **kwargs)
        if self._on_answer is not None:
            self._on_answer(answer)
        return answer

    def _request(self, method: str, path: str, **kwargs: Any) -> KoskiAnswer:
        try:
            response = self._session.request(
                method, self._base + path, timeout=self._timeout, **kwargs
            )
        except requests.RequestException as error:
            return KoskiAnswer(None, None, type(error).__name__)
        try:
            body = response.json()
        except ValueError:
            body = None
        return KoskiAnswer(response.status_code, body)
