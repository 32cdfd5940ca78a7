"""Visma Sign's REST API v1 over HTTP, as the signing connector uses it.

Every request is signed with the organisation's Onnistuu key and has timeouts. Connection
errors and gateway answers (502, 503, 504: the request most likely never reached the service)
are retried with backoff for every call, and a 500 for reads too (a POST that failed with 500
may have been half done: the connector's own steps decide about those). Nothing is logged but
methods, paths with ids, and statuses: no key, no hetu, no e-mail address.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Final
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from consent.adapters.onnistuu import OnnistuuKey, signed_headers
from consent.ports import Clock, DocumentState

log = logging.getLogger("vst.vismasign")
TIMEOUT: Final = (5.0, 30.0)  # connect, read
_READS: Final = frozenset({"GET", "HEAD"})


class _GatewayRetry(Retry):
    """Retry gateway answers for every method, and 500 for reads only."""

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code == 500:
            return method.upper() in _READS and self.total is not False
        return bool(super().is_retry(method, status_code, has_retry_after))


_RETRY: Final = _GatewayRetry(
    total=4,
    connect=4,
    read=0,
    status=4,
    backoff_factor=0.5,
    status_forcelist=(502, 503, 504),
    allowed_methods=None,  # every method: these answers mean the request was not handled
    raise_on_status=False,
)


class VismaSignError(Exception):
    """Visma Sign answered something other than what the call expects (status only)."""

    def __init__(self, method: str, path: str, status: int) -> None:
        super().__init__(f"Visma Sign {method} {path} answered {status}")
        self.status = status


class UnsafeSigningUrl(Exception):
    """Visma Sign named a signing address that is not a web address on its own scheme
    (``javascript:``, ``data:``, http from an https service): never stored, never shown."""

    def __init__(self, path: str) -> None:
        super().__init__(f"Visma Sign POST {path} named a signing address that is not a web page")


def is_web_page(url: str, allow_http: bool = False) -> bool:
    """Whether ``url`` may be a link a person opens: an https address with a host (or http,
    if allowed); never ``javascript:`` or ``data:``, and no whitespace or control character,
    which a browser would drop before reading the scheme."""
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced [ of an IPv6 host
        return False
    schemes = ("https", "http") if allow_http else ("https",)
    printable = url.isprintable() and " " not in url
    return parts.scheme in schemes and bool(parts.hostname) and printable


class HttpVismaSign:
    """The calls the connector makes: documents, files, invitations, status, download, cancel."""

    def __init__(
        self,
        base_url: str,
        key: OnnistuuKey,
        clock: Clock,
        timeout: tuple[float, float] = TIMEOUT,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._key = key
        self._clock = clock
        self._timeout = timeout
        self._http = requests.Session()
        self._http.mount("http://", HTTPAdapter(max_retries=_RETRY))
        self._http.mount("https://", HTTPAdapter(max_retries=_RETRY))

    def close(self) -> None:
        """Close kept-alive connections (a later call opens a new one)."""
        self._http.close()

    def create_document(self, name: str) -> str:
        """A new document; its uuid (from the ``Location`` of the 201)."""
        response = self._call("POST", "/api/v1/document/", {"document": {"name": name}}, {201})
        return response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]

    def add_file(self, document: str, pdf: bytes) -> None:
        """Attach the consent form (one PDF under 10 MB)."""
        self._call("POST", f"/api/v1/document/{document}/files", pdf, {201}, "application/pdf")

    def invite(self, document: str, signer_hetu: str, contact: dict[str, str]) -> str:
        """Invite the one person whose hetu is given; Visma Sign lets no one else sign.

        ``contact`` holds ``email`` and/or ``sms``: Visma Sign sends the invitation there; with
        neither, staff hand the signing link to the person themselves.
        """
        invitation: dict[str, Any] = {
            "identifier_type": "Finland_SSN",
            "identifier": signer_hetu,
            "language": "fi",
            # The v1 schema names a ``messages`` object without its members in the material we
            # have of Visma Sign's documentation: check these two against the live
            # documentation before relying on Visma Sign to send the invitation itself.
            "messages": {
                "send_invitation_email": bool(contact.get("email")),
                "send_invitation_sms": bool(contact.get("sms")),
            },
        }
        invitation |= {k: v for k, v in contact.items() if k in ("email", "sms") and v}
        path = f"/api/v1/document/{document}/invitations"
        created = self._call("POST", path, [invitation], {200, 201}).json()
        return str(created[0]["uuid"])

    def signing_url(self, invitation: str, return_url: str) -> str:
        """Where the person signs; their browser comes back to ``return_url`` afterwards."""
        body = {"returnUrl": return_url, "authService": "tupas"}
        path = f"/api/v1/invitation/{invitation}/signature"
        url = self._call("POST", path, body, {201}).headers["Location"]
        if not self._is_web_page(url):
            raise UnsafeSigningUrl(path)
        return url

    def _is_web_page(self, url: str) -> bool:
        """Plain http only from a service reached over http (the local sandbox)."""
        return is_web_page(url, allow_http=self._base.startswith("http://"))

    def status(self, document: str) -> DocumentState:
        """The document's and its invitations' status."""
        body = self._call("GET", f"/api/v1/document/{document}", None, {200}).json()
        invitations = {str(i["uuid"]): str(i["status"]) for i in body.get("invitations", [])}
        return DocumentState(str(body["status"]), invitations, len(body.get("files", [])))

    def download(self, document: str, index: int = 0) -> bytes:
        """A file of the document; once signed, it carries the signatures."""
        path = f"/api/v1/document/{document}/files/{index}"
        return self._call("GET", path, None, {200}).content

    def cancel(self, document: str) -> None:
        """End the document unsigned (its invitations can no longer be signed)."""
        self._call("POST", f"/api/v1/document/{document}/cancel", None, {200, 204})

    def _call(
        self,
        method: str,
        path: str,
        body: object,
        expected: set[int],
        content_type: str = "application/json",
    ) -> requests.Response:
        if isinstance(body, bytes):
            data = body
        else:
            data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        url = self._base + path
        headers = signed_headers(self._key, method, url, data, content_type, self._clock())
        response = self._http.request(
            method, url, data=data, headers=headers, timeout=self._timeout
        )
        log.info("vismasign.call method=%s path=%s status=%s", method, path, response.status_code)
        if response.status_code not in expected:
            raise VismaSignError(method, path, response.status_code)
        return response
