"""The client's address behind reverse proxies, for the per-address login throttle."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def behind_proxies(app: Flask, hops: int) -> None:
    """With ``hops`` trusted proxies in front (``WEB_TRUSTED_PROXIES``), take the client's
    address from the ``hops``-th last ``X-Forwarded-For`` entry; with none, the socket's peer
    stays the address, since a client could write that header itself. Nothing else of the
    request (scheme, host) is taken from the proxy."""
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to wrap its WSGI app
            app.wsgi_app, x_for=hops, x_proto=0, x_host=0, x_port=0, x_prefix=0
        )
