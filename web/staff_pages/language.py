"""Choosing the language of one's own staff pages: kept on the account, so it holds in every
session and on every machine the member logs in from; and remembered in the browser, so the
login page after a logout is drawn in it too."""

from __future__ import annotations

import dataclasses
from typing import Final

from flask import current_app, g, redirect, request
from flask.typing import ResponseReturnValue
from flask.wrappers import Response

from consent.staff import PAGE_LANGUAGES, StaffMember
from web.staff_pages.blueprint import LANGUAGE_COOKIE, bp, deps, error_page, our_page

_REMEMBERED_FOR: Final = 365 * 24 * 3600  # seconds; the cookie says only fi or sv


@bp.post("/language")
def choose_language() -> ResponseReturnValue:
    """Keep the chosen language on the logged-in member's account and go back to the page
    they chose it on, now drawn in it. Any role may choose: it changes only their own pages.
    A language the pages do not speak is a 400 and changes nothing."""
    language = request.form.get("language", "")
    if language not in PAGE_LANGUAGES:
        return error_page(400, "bad_language")
    member: StaffMember = g.staff
    deps().accounts.set_language(member.name, language)
    g.staff = dataclasses.replace(member, language=language)  # what the browser remembers
    return redirect(our_page(request.form.get("next", "")))


@bp.after_request
def remember_language(response: Response) -> Response:
    """Remember the logged-in member's language in this browser, for the login page."""
    member: StaffMember | None = g.get("staff")
    if member is not None and request.cookies.get(LANGUAGE_COOKIE) != member.language:
        response.set_cookie(
            LANGUAGE_COOKIE,
            member.language,
            max_age=_REMEMBERED_FOR,
            httponly=True,
            samesite="Lax",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
    return response
