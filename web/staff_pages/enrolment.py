"""Inviting a course's participants (or a minor's guardian) to sign, and where each signing
stands, when the signing connector is configured."""

from __future__ import annotations

from flask import flash, redirect
from flask.typing import ResponseReturnValue

from consent import staff_actions
from consent.staff import Role
from web.routes import COURSE_CODE
from web.staff_pages.blueprint import actor, bp, deps, require
from web.staff_pages.texts import text
from web.staff_pages.uploads import uploaded


@bp.post(f"/courses/<{COURSE_CODE}:code>/enrolments")
def enrol(code: str) -> ResponseReturnValue:
    """Check an enrolment file; enrol everyone in it, or nobody and say why row by row."""
    require(Role.STAFF)
    services = deps().staff
    upload = uploaded()
    if upload is None:
        staff_actions.signing_for(services, code)  # no such course or no connector: a 404
        flash("no_file")
        return redirect(f"/staff/courses/{code}")
    enrolled = staff_actions.enrol(services, code, upload.content, upload.kind, actor())
    flash(text("enrolled").format(new=enrolled.new, known=enrolled.known))
    return redirect(f"/staff/courses/{code}")
