"""The page on which staff record a consent from a signed paper form (a course page's
"record a consent"): the participant by hetu, or by oppijanumero and birth date, who signed,
the day, and the scanned PDF. The staff action (:func:`consent.staff_actions.record_consent`)
judges it; a refusal is shown on the same form, naming the field, and nothing is recorded."""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from flask.typing import ResponseReturnValue

from consent import staff_actions
from consent.errors import ConsentNotRecorded
from consent.recorded_consents import FIELDS, MAX_PDF_BYTES, read_form
from consent.staff import Role
from web.routes import COURSE_CODE
from web.staff_pages.blueprint import actor, bp, deps, require
from web.staff_pages.texts import reason, text


@bp.route(f"/courses/<{COURSE_CODE}:code>/consents/new", methods=["GET", "POST"])
def record_consent(code: str) -> ResponseReturnValue:
    """The form (GET), or the consent recorded and the course page again (POST)."""
    require(Role.STAFF)
    course = staff_actions.course(deps().staff, code)  # an unknown course: its 404 page
    if request.method == "GET":
        return _form(course, {}, None)
    fields = {name: request.form.get(name, "") for name in FIELDS}
    scan = request.files.get("pdf")
    pdf = scan.read(MAX_PDF_BYTES + 1) if scan is not None and scan.filename else b""
    staff = deps().staff
    try:
        form = read_form(
            code,
            fields,
            pdf,
            today=staff.clock().date(),
            allow_temporary=staff.allow_temporary_hetu,
        )
        staff_actions.record_consent(staff, form, actor())
    except ConsentNotRecorded as refused:
        problem = f"{text('field.' + refused.field)}: {reason(refused.reason)}"
        return _form(course, fields, problem), 400
    flash("consent_recorded")
    return redirect(f"/staff/courses/{code}")


def _form(course: object, values: dict[str, str], problem: str | None) -> str:
    return render_template("record_consent.html", course=course, values=values, problem=problem)
