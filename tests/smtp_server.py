"""A real SMTP server for the tests (aiosmtpd on a loopback port), collecting what it takes."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass(frozen=True)
class Received:
    """One message as the server took it: the envelope's recipients and the parsed message."""

    recipients: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def text(self) -> str:
        """The subject and the decoded body."""
        body = self.message.get_body(("plain",))
        assert body is not None
        return f"{self.message['Subject']}\n{body.get_content()}"


@dataclass
class Collector:
    """The server's handler: keeps every message; refuses the addresses in ``refuse``."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        self.received.append(Received(tuple(envelope.rcpt_tos), content))
        return "250 Message accepted"

    def to(self, address: str) -> list[Received]:
        """The messages whose envelope named ``address``."""
        return [r for r in self.received if address in r.recipients]


def login_of(username: str, password: str) -> Callable[..., AuthResult]:
    """An authenticator that lets in ``username`` with ``password`` alone."""

    def authenticate(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: object
    ) -> AuthResult:
        given = data if isinstance(data, LoginPassword) else None
        ok = given is not None and given == (username.encode(), password.encode())
        return AuthResult(success=ok, handled=False)  # a refusal: aiosmtpd answers 535

    return authenticate


@contextmanager
def smtp_server(
    port: int, collector: Collector | None = None, *, login: tuple[str, str] | None = None
) -> Iterator[Collector]:
    """Serve SMTP on 127.0.0.1:``port`` (no TLS: the tests' relay is on this machine) until
    the block ends, asking for ``login`` (username, password) if given; the collector of
    what it took."""
    collector = collector or Collector()
    controller = _controller(collector, port, login)
    controller.start()
    try:
        yield collector
    finally:
        controller.stop()


def _controller(collector: Collector, port: int, login: tuple[str, str] | None) -> Controller:
    return Controller(
        collector,
        hostname="127.0.0.1",
        port=port,
        auth_require_tls=False,
        auth_required=login is not None,
        authenticator=None if login is None else login_of(*login),
    )
