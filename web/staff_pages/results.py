"""The grading sync in the browser: upload a results file, see what it would change (or every
problem, row by row) before anything changes, then confirm."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template
from flask.typing import ResponseReturnValue

from consent import staff_actions
from consent.staff import Role
from web.routes import COURSE_CODE, UPLOAD_ID
from web.staff_pages.blueprint import actor, bp, deps, require
from web.staff_pages.texts import field_label, text
from web.staff_pages.uploads import uploaded

log = logging.getLogger("vst.staff_pages")


@bp.post(f"/courses/<{COURSE_CODE}:code>/results")
def upload_results(code: str) -> ResponseReturnValue:
    """Check an uploaded file against the course and show what importing it would do."""
    require(Role.STAFF)
    services = deps().staff
    upload = uploaded()
    if upload is None:
        course = staff_actions.course(services, code)
        return render_template("preview.html", course=course, errors=[_no_file()]), 400
    preview = staff_actions.preview_results(services, code, upload.content, upload.kind, actor())
    return render_template(
        "preview.html",
        course=preview.course,
        counts=preview.counts,
        upload_id=preview.upload_id,
        warnings=preview.warnings,
    )


@bp.post(f"/courses/<{COURSE_CODE}:code>/results/<{UPLOAD_ID}:upload_id>")
def confirm_results(code: str, upload_id: str) -> ResponseReturnValue:
    """Import the file checked a moment ago: all or nothing, as the CLI and the API do."""
    require(Role.STAFF)
    summary = staff_actions.confirm_results(deps().staff, code, upload_id, actor())
    log.info("results.imported course=%s changed=%s", code, summary.changed)
    flash(text("imported").format(changed=summary.changed, unchanged=summary.unchanged))
    return redirect(f"/staff/courses/{code}")


def _no_file() -> dict[str, object]:
    return {"row": 0, "field": field_label("(file)"), "reason": text("no_file")}
