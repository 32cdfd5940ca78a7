"""The staff web pages: server-rendered Flask + Jinja, Finnish by default.

Staff log in with an account made by ``vst-consent staff account-create``; Flask's signed
cookie (HttpOnly, SameSite=Lax, Secure in production) carries a random session id whose row in
``staff_sessions`` says who it is, so logout and a password change end a session for good.
Failed logins are throttled per account and per address. Every POST carries a CSRF token
(Flask-WTF). The pages call the same use cases as the CLI and the JSON API.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask

# The views register on the blueprint when imported.
from web.staff_pages import (  # noqa: F401
    attention,
    auth,
    courses,
    enrolment,
    exports,
    import_templates,
    language,
    participants,
    person,
    recorded_consents,
    refusals,
    results,
)
from web.staff_pages.blueprint import (
    SESSION_HOURS,
    CookieSessions,
    StaffPages,
    bp,
    error_page,
    login_address,
)

__all__ = ["StaffPages", "error_page", "init_app", "login_address"]


def init_app(app: Flask, pages: StaffPages, secret_key: str, secure_cookies: bool) -> None:
    """Register the pages and their session settings on ``app``."""
    app.extensions["vst.staff_pages"] = pages
    app.secret_key = secret_key
    app.session_interface = CookieSessions()
    app.config.update(
        SESSION_COOKIE_NAME="vst_staff",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=SESSION_HOURS),
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600,
    )
    app.register_blueprint(bp)
