"""Logging in and out."""

from __future__ import annotations

import logging

from flask import redirect, render_template, request, session
from flask.typing import ResponseReturnValue

from webhook.staff_pages import bp, deps, our_page

log = logging.getLogger("vst.staff_pages")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """The login form; a right username and password start a new session."""
    target = our_page(request.values.get("next", ""))
    if request.method == "GET":
        return render_template("login.html", next=target, failed=False)
    username = request.form.get("username", "").strip()[:64]
    member = deps().accounts.verify(username, request.form.get("password", "")[:1024])
    if member is None:
        log.warning("staff.login_failed")  # the typed name could be anything: not logged
        return render_template("login.html", next=target, failed=True, username=username), 401
    session.clear()  # nothing from before the login survives it
    session.permanent = True
    session["staff"] = member.name
    return redirect(target)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End the session."""
    session.clear()
    return redirect("/staff/login")
