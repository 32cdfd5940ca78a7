"""Logging in and out."""

from __future__ import annotations

import datetime as dt
import logging

from flask import redirect, render_template, request, session
from flask.typing import ResponseReturnValue

from consent.adapters.login_throttle import Attempt, Throttled
from web.staff_pages.blueprint import SESSION_HOURS, SESSION_KEY, bp, deps, our_page
from web.staff_pages.texts import text

log = logging.getLogger("vst.staff_pages")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """The login form; a right username and password start a new session. After too many
    failures for the name or from the address, a 429 before the password is even checked
    (one password per name is checked at a time, so guesses sent at once are counted too)."""
    target = our_page(request.values.get("next", ""))
    if request.method == "GET":
        return render_template("login.html", next=target, failed=False)
    username = request.form.get("username", "").strip()[:64]
    attempt = Attempt("pages", username, request.remote_addr or "")
    password = request.form.get("password", "")[:1024]
    member = deps().throttle.login(attempt, lambda: deps().accounts.verify(username, password))
    if isinstance(member, Throttled):
        return _throttled(member.retry_after)
    if member is None:
        log.warning("staff.login_failed")  # the typed name could be anything: not logged
        return render_template("login.html", next=target, failed=True, username=username), 401
    session.clear()  # nothing from before the login survives it
    session.permanent = True
    lifetime = dt.timedelta(hours=SESSION_HOURS)
    session[SESSION_KEY] = deps().accounts.open_session(member.name, lifetime)
    return redirect(target)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End the session: its id is deleted, so the old cookie logs no one in, even replayed."""
    session_id = session.get(SESSION_KEY)
    if isinstance(session_id, str):
        deps().accounts.end_session(session_id)
    session.clear()
    return redirect("/staff/login")


def _throttled(wait: int) -> ResponseReturnValue:
    """The same page whether the name exists or not: it says only when to try again."""
    log.warning("staff.login_throttled")
    page = render_template("error.html", message=text("login_throttled"), status=429)
    return page, 429, {"Retry-After": str(wait)}
