"""The rq-dashboard process (``gunicorn 'cli.dashboard:app()'``), behind staff logins.

rq-dashboard has no authentication of its own and accepts a state-changing GET, so every
request passes :class:`DashboardGuard` first: a staff account's username and password or a
staff token (HTTP Basic ``name:password`` or ``name:token`` from a browser, or ``Bearer``) to
look, the operator role and a same-origin POST to change anything, and never a change by
GET. Job arguments are row ids, so nothing personal shows.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import urlsplit

import rq_dashboard
from flask import Flask, Response, request
from rq import Worker
from rq.serializers import JSONSerializer

from cli import dashboard_errors
from consent.adapters.broker import broker_url
from consent.adapters.login_throttle import Attempt, LoginThrottle, Throttled
from consent.adapters.logs import configure_logging
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.bootstrap import bootstrap
from consent.config import Settings
from consent.staff import Role, StaffMember
from web.proxies import behind_proxies
from web.redirects import relative_location
from web.security_headers import DASHBOARD_POLICY, security_headers

PREFIX: Final = "/rq"
_READS: Final = ("GET", "HEAD")


class DashboardGuard:
    """Decides, before rq-dashboard sees a request, whether it may go on."""

    def __init__(
        self, authenticate: Callable[[str, str], StaffMember | None], throttle: LoginThrottle
    ) -> None:
        self._authenticate = authenticate  # (name, password or token); name "" for Bearer
        self._throttle = throttle

    def check(self) -> Response | None:
        """None to let the request through, else the refusal."""
        member = self._member()
        if isinstance(member, Response):
            return member
        if request.path.startswith(f"{PREFIX}/requeue/") and request.method in _READS:
            return dashboard_errors.plain(405, "Requeue with POST.", {"Allow": "POST"})
        if request.method in _READS:
            return None
        if not member.role.allows(Role.OPERATOR):
            return dashboard_errors.plain(403, "Changing jobs needs the operator role.")
        if not _same_origin():
            return dashboard_errors.plain(
                403, "Changes are accepted only from the dashboard's own pages."
            )
        return None

    def _member(self) -> StaffMember | Response:
        """Who the credentials belong to, else the refusal: a 429 after too many failures
        for their name or from this address (before any password is checked; one password
        per name at a time, so requests sent at once are counted too), or a 401."""
        credentials = _credentials()
        if credentials is None:
            return _login_needed()
        attempt = Attempt("dashboard", credentials[0], request.remote_addr or "")
        member = self._throttle.login(attempt, lambda: self._authenticate(*credentials))
        if isinstance(member, Throttled):
            wait = {"Retry-After": str(member.retry_after)}
            return dashboard_errors.plain(429, "Too many failed logins: try again later.", wait)
        if member is None:
            return _login_needed()
        return member


def _login_needed() -> Response:
    return dashboard_errors.plain(
        401,
        "A staff login or token is needed.",
        {"WWW-Authenticate": 'Basic realm="vst-consent jobs"'},
    )


def _credentials() -> tuple[str, str] | None:
    """(name, password or token) from the Authorization header; name "" for Bearer."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return "", header[7:]
    if header.startswith("Basic "):
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        name, _, secret = decoded.partition(":")
        return name[:64], secret[:1024]
    return None


def staff_login(
    tokens: SqlStaffTokens, accounts: SqlStaffAccounts
) -> Callable[[str, str], StaffMember | None]:
    """Who a name and secret belong to: a staff token, else an account's password."""

    def authenticate(name: str, secret: str) -> StaffMember | None:
        member = tokens.member(secret)
        if member is None and name:
            member = accounts.verify(name, secret)
        return member

    return authenticate


def _same_origin() -> bool:
    """A POST from another site carries its Origin (or Referer); ours matches our host."""
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    parts = urlsplit(source)
    return bool(parts.netloc) and parts.netloc == request.host


class JsonWorker(Worker):
    """RQ's worker, reading its jobs as JSON unless told otherwise.

    rq-dashboard 0.9 hands its ``config.serializer`` to every queue and job it opens, but
    looks workers up with ``Worker.all(connection=…)`` alone, so a worker's current job was
    unpickled and ``workers.json`` answered 500 while any worker ran a job."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["serializer"] = kwargs.get("serializer") or JSONSerializer
        super().__init__(*args, **kwargs)


def app(settings: Settings | None = None) -> Flask:
    """The dashboard for this environment's broker, guarded by its ledger's staff logins."""
    settings = settings or Settings.from_env()
    dashboard = Flask(__name__)
    behind_proxies(dashboard, settings.trusted_proxies)
    dashboard.config.from_object(rq_dashboard.default_settings)
    redis_url = broker_url(settings)
    dashboard.config["RQ_DASHBOARD_REDIS_URL"] = redis_url
    rq_dashboard.web.config.serializer = JSONSerializer  # our jobs are JSON, not pickles
    rq_dashboard.web.Worker = JsonWorker  # the one lookup that config does not reach
    rq_dashboard.web.setup_rq_connection(dashboard)
    services = bootstrap(settings)
    configure_logging(counts=services.counters)
    guard = DashboardGuard(staff_login(services.tokens, services.accounts), services.throttle)
    dashboard.before_request(guard.check)
    dashboard_errors.register(dashboard)  # after the guard: no address checks before a login
    dashboard.after_request(security_headers(DASHBOARD_POLICY))
    dashboard.after_request(relative_location)
    dashboard.register_blueprint(rq_dashboard.blueprint, url_prefix=PREFIX)
    return dashboard
