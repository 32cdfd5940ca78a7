"""Choosing the language of one's own staff pages: kept on the account, so it holds in every
session and on every machine the member logs in from."""

from __future__ import annotations

from flask import g, redirect, request
from flask.typing import ResponseReturnValue

from consent.staff import PAGE_LANGUAGES, StaffMember
from web.staff_pages.blueprint import bp, deps, error_page, our_page


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
    return redirect(our_page(request.form.get("next", "")))
