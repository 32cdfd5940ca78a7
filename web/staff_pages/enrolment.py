"""Inviting a course's participants (or a minor's guardian) to sign, and where each signing
stands, when the signing connector is configured: upload an enrolment file, see whom it would
invite (or every problem, row by row) before anyone is enrolled, then confirm."""

from __future__ import annotations

from flask import flash, redirect, render_template
from flask.typing import ResponseReturnValue

from consent import staff_actions
from consent.staff import Role
from web.routes import COURSE_CODE, UPLOAD_ID
from web.staff_pages.blueprint import actor, bp, deps, require
from web.staff_pages.texts import text
from web.staff_pages.uploads import uploaded


@bp.post(f"/courses/<{COURSE_CODE}:code>/enrolments")
def enrol(code: str) -> ResponseReturnValue:
    """Check an enrolment file and show whom confirming it would invite; nobody is enrolled
    yet (the file waits sealed, as a results file does)."""
    require(Role.STAFF)
    services = deps().staff
    upload = uploaded()
    if upload is None:
        staff_actions.signing_for(services, code)  # no such course or no connector: a 404
        flash("no_file")
        return redirect(f"/staff/courses/{code}")
    preview = staff_actions.preview_enrolment(services, code, upload.content, upload.kind, actor())
    return render_template("enrolment_preview.html", course=preview.course, preview=preview)


@bp.post(f"/courses/<{COURSE_CODE}:code>/enrolments/<{UPLOAD_ID}:upload_id>")
def confirm_enrolment(code: str, upload_id: str) -> ResponseReturnValue:
    """Enrol everyone in the file checked a moment ago, or nobody, and queue the invitations."""
    require(Role.STAFF)
    enrolled = staff_actions.confirm_enrolment(deps().staff, code, upload_id, actor())
    flash(text("enrolled").format(new=enrolled.new, known=enrolled.known))
    return redirect(f"/staff/courses/{code}")
