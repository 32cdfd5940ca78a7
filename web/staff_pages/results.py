"""The grading sync in the browser: upload a results file, see what it would change (or every
problem, row by row) before anything changes, then confirm."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request
from flask.typing import ResponseReturnValue

from consent import grading
from consent.import_files import ImportRejected, read_rows
from consent.results import check_rows, result_columns
from consent.staff import Role
from web.routes import COURSE_CODE, UPLOAD_ID
from web.staff_pages.blueprint import actor, bp, deps, error_page, require
from web.staff_pages.texts import field_label, reason, text

log = logging.getLogger("vst.staff_pages")
SHOWN_ERRORS = 200


@bp.post(f"/courses/<{COURSE_CODE}:code>/results")
def upload_results(code: str) -> ResponseReturnValue:
    """Check an uploaded file against the course and show what importing it would do."""
    require(Role.STAFF)
    pages = deps()
    course = pages.courses.find_course(code)
    if course is None:
        return error_page(404, "not_found")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("preview.html", course=course, errors=[_no_file()]), 400
    content = upload.read()
    kind = "json" if upload.filename.lower().endswith(".json") else "csv"
    try:
        rows = read_rows(content, kind, result_columns(course))
        checked = check_rows(rows, course, pages.clock().date(), pages.allow_temporary_hetu)
    except ImportRejected as rejected:
        return render_template("preview.html", course=course, errors=row_errors(rejected)), 400
    counts = pages.results.preview_results(code, checked)
    upload_id = pages.pending.hold(code, kind, content, actor())
    return render_template("preview.html", course=course, counts=counts, upload_id=upload_id)


@bp.post(f"/courses/<{COURSE_CODE}:code>/results/<{UPLOAD_ID}:upload_id>")
def confirm_results(code: str, upload_id: str) -> ResponseReturnValue:
    """Import the file checked a moment ago: all or nothing, as the CLI and the API do."""
    require(Role.STAFF)
    pages = deps()
    course = pages.courses.find_course(code)
    if course is None:
        return error_page(404, "not_found")
    held = pages.pending.take(upload_id[:36], code, actor())
    if held is None:
        flash("upload_expired")
        return redirect(f"/staff/courses/{code}")
    kind, content = held
    try:
        summary = grading.import_results(
            course,
            read_rows(content, kind, result_columns(course)),
            pages.results,
            pages.jobs,
            today=pages.clock().date(),
            actor=actor(),
            allow_temporary=pages.allow_temporary_hetu,
        )
    except ImportRejected as rejected:  # the file was fine a moment ago: e.g. a day passed
        return render_template("preview.html", course=course, errors=row_errors(rejected)), 400
    pages.pending.forget(upload_id)
    log.info("results.imported course=%s changed=%s", code, summary.changed)
    flash(text("imported").format(changed=summary.changed, unchanged=summary.unchanged))
    return redirect(f"/staff/courses/{code}")


def row_errors(rejected: ImportRejected) -> list[dict[str, object]]:
    """Each problem, row by row, in Finnish where the reason is known (never a value)."""
    return [
        {"row": e.row, "field": field_label(e.field), "reason": reason(e.reason)}
        for e in rejected.errors[:SHOWN_ERRORS]
    ]


def _no_file() -> dict[str, object]:
    return {"row": 0, "field": field_label("(file)"), "reason": text("no_file")}
