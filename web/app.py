"""The web process: ``create_app()`` puts the intake, the staff API, the staff pages and the
operations endpoints on the services of :mod:`consent.bootstrap`."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import Any

import redis
import structlog
from flask import Flask, Response, request
from sqlalchemy import Engine, text
from werkzeug.exceptions import NotFound

from consent.adapters.logs import configure_logging, log_safe_id
from consent.adapters.sql.ledger import utc_now
from consent.adapters.sql.migrate import is_current
from consent.bootstrap import Services, bootstrap, staff_services
from consent.config import Settings
from consent.hetu import HETU_SHAPE
from consent.ports import Clock, JobQueue
from web import connector_return, errors, routes, staff_pages
from web.declared_length import DeclaredLength
from web.intake import receive
from web.operations import health, metrics
from web.proxies import behind_proxies
from web.redirects import relative_location
from web.security_headers import PAGES_POLICY, security_headers
from web.staff_api import attention as staff_attention  # noqa: F401  # routes join staff_api.bp
from web.staff_api import exports as staff_exports  # noqa: F401  # its routes join staff_api.bp
from web.staff_api import openapi
from web.staff_api import views as staff_api


def create_app(
    settings: Settings | None = None,
    *,
    services: Services | None = None,
    engine: Engine | None = None,
    broker: redis.Redis | None = None,
    queue: JobQueue | None = None,
    clock: Clock = utc_now,
    test_config: Mapping[str, Any] | None = None,
) -> Flask:
    """Build the Flask app on ``services`` (by default built from ``settings`` by
    :func:`consent.bootstrap.bootstrap`); nothing connects until the first request.

    ``queue`` replaces only the intake's queue (a broker that is down, in tests)."""
    services = services or bootstrap(settings, engine=engine, broker=broker, clock=clock)
    configure_logging(counts=services.counters)
    app = _flask(services.settings, test_config)
    _add_intake(app, services, queue or services.queue)
    _add_staff(app, services)
    _add_connector_return(app, services)
    app.extensions["vst.readiness"] = {
        "database": lambda: _database_problem(services.engine),
        "broker": lambda: _broker_problem(services.broker),
    }
    app.extensions["vst.metrics"] = metrics.MetricsSources(
        counters=services.counters,
        broker=services.broker,
        ledger_counts=services.ledger.state_counts,
    )
    for blueprint in (
        health.bp,
        metrics.bp,
        receive.bp,
        openapi.bp,
        staff_api.bp,
        connector_return.bp,
    ):
        app.register_blueprint(blueprint)
    errors.register(app)
    return app


class _App(Flask):
    """Flask, remembering which hooks and views are plain functions. Flask asks
    ``inspect.iscoroutinefunction`` of each hook and the view on every request (some forty
    calls of a webhook delivery's 1,200), and a function's answer never changes."""

    def __init__(self, import_name: str) -> None:
        super().__init__(import_name)
        self._plain: dict[Callable[..., Any], bool] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """``func`` itself if it is a plain function, else Flask's wrapper of it."""
        try:
            plain = self._plain.get(func)
        except TypeError:  # unhashable: asked each time, as Flask does
            return super().ensure_sync(func)
        if plain is None:
            plain = self._plain[func] = super().ensure_sync(func) is func
        return func if plain else super().ensure_sync(func)


def _flask(settings: Settings, test_config: Mapping[str, Any] | None) -> Flask:
    """The Flask app with what every request passes through: the short-body check, the
    trusted proxies, the routing rules, request ids and the security headers."""
    app = _App(__name__)
    app.wsgi_app = DeclaredLength(app.wsgi_app)  # type: ignore[method-assign]  # Flask's documented way to wrap its WSGI app
    behind_proxies(app, settings.trusted_proxies)
    # A path with "//" is a 404, not a 308 to its merged form: the webhook contract never
    # answers 3xx, and no page of ours links to such a path. Set before any rule is added.
    app.url_map.merge_slashes = False
    app.url_map.converters.update(routes.CONVERTERS)  # <course_code:code>, before any rule
    app.config.update(MAX_CONTENT_LENGTH=receive.MAX_BODY, **(test_config or {}))
    app.before_request(_bind_request_id)
    app.before_request(_refuse_leading_slashes)
    app.after_request(_return_request_id)
    app.after_request(security_headers(PAGES_POLICY))
    app.after_request(relative_location)
    return app


def _add_intake(app: Flask, services: Services, queue: JobQueue) -> None:
    """The signing webhook: stores on the intake's own pool, queues on ``queue``."""
    settings = services.settings
    app.extensions["vst.intake"] = receive.Intake(
        keys=settings.webhook_keys,
        store=services.intake_ledger.store_delivery,
        find=services.ledger.find_delivery,
        queue=queue,
        clock=services.clock,
        allow_temporary_hetu=settings.allow_temporary_hetu,
    )


def _add_staff(app: Flask, services: Services) -> None:
    """The staff API and the staff pages, both on the staff actions."""
    settings, staff = services.settings, staff_services(services)
    app.extensions["vst.staff_api"] = staff_api.StaffApi(
        authenticate=services.tokens.member,
        staff=staff,
        status=services.status,
        clock=services.clock,
    )
    staff_pages.init_app(
        app,
        staff_pages.StaffPages(
            accounts=services.accounts,
            staff=staff,
            status=services.status,
            clock=services.clock,
            dashboard_url=settings.dashboard_url,
            throttle=services.throttle,
            plain_http_links=settings.mode == "local",  # the Visma Sign sandbox's links
        ),
        secret_key=settings.web_secret_key,
        secure_cookies=settings.mode == "production",
    )


def _add_connector_return(app: Flask, services: Services) -> None:
    """Where Visma Sign sends a signer back: the connector checks that signing soon."""

    def check_soon(enrolment_id: int) -> None:
        services.enrolments.check_now(enrolment_id)
        with suppress(redis.RedisError):  # the sweeper queues it within a minute otherwise
            services.queue.enqueue_signing_check(enrolment_id)

    app.extensions["vst.signing_return"] = connector_return.SigningReturn(
        find=services.enrolments.by_document, check_soon=check_soon
    )


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_REQUEST_ID_KEY = "vst.request_id"


def _bind_request_id() -> None:
    """Tag every log line of this request with an id: the proxy's ``X-Request-Id`` if sane.

    An offered id shaped like a hetu anywhere in it (``id010190-521Fz``) is not sane: it
    would be echoed in the answer's header and logged, so a fresh id replaces it. The id is
    also kept in the request's environ, where :func:`_return_request_id` finds it."""
    environ = request.environ
    offered = environ.get("HTTP_X_REQUEST_ID", "")
    sane = offered and _REQUEST_ID.match(offered) and not HETU_SHAPE.search(offered)
    request_id = environ[_REQUEST_ID_KEY] = offered if sane else log_safe_id()
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id)


def _refuse_leading_slashes() -> None:
    """A path that starts with ``//`` is a 404, as any other ``//`` is (``merge_slashes`` in
    :func:`create_app`). Werkzeug's routing strips leading slashes whatever that setting
    says, so under gunicorn, which passes ``//webhooks/signing`` on as it came, it would be
    the webhook."""
    if request.environ.get("PATH_INFO", "").startswith("//"):
        raise NotFound


def _return_request_id(response: Response) -> Response:
    response.headers["X-Request-Id"] = request.environ.get(_REQUEST_ID_KEY, "")
    return response


def _database_problem(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return None if is_current(engine) else "migrations pending"
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"; the type says why
        return f"unreachable ({type(error).__name__})"


def _broker_problem(broker: redis.Redis) -> str | None:
    try:
        broker.ping()
    except redis.RedisError as error:
        return f"unreachable ({type(error).__name__})"
    return None
