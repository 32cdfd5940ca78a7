"""Inviting a course's participants (or a minor's guardian) to sign, and where each signing
stands, when the signing connector is configured."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request
from flask.typing import ResponseReturnValue

from consent.connector import ENROLMENT_COLUMNS, check_enrolment_rows
from consent.import_files import ImportRejected, read_rows
from consent.staff import Role
from web.routes import COURSE_CODE
from web.staff_pages.blueprint import actor, bp, deps, error_page, require
from web.staff_pages.results import row_errors
from web.staff_pages.texts import text


@bp.post(f"/courses/<{COURSE_CODE}:code>/enrolments")
def enrol(code: str) -> ResponseReturnValue:
    """Check an enrolment file; enrol everyone in it, or nobody and say why row by row."""
    require(Role.STAFF)
    pages = deps()
    course = pages.courses.find_course(code)
    if course is None or pages.enrolments is None or pages.invite is None:
        return error_page(404, "not_found")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("no_file")
        return redirect(f"/staff/courses/{code}")
    kind = "json" if upload.filename.lower().endswith(".json") else "csv"
    try:
        raw = read_rows(upload.read(), kind, ENROLMENT_COLUMNS)
        rows = check_enrolment_rows(raw, pages.clock().date())
    except ImportRejected as rejected:
        return render_template("preview.html", course=course, errors=row_errors(rejected)), 400
    expires = pages.clock() + dt.timedelta(days=pages.signing_expiry_days)
    new, known = pages.enrolments.enrol(code, rows, expires, actor())
    for enrolment_id in new:
        pages.invite(enrolment_id)
    flash(text("enrolled").format(new=len(new), known=known))
    return redirect(f"/staff/courses/{code}")
