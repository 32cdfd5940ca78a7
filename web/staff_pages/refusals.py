"""The pages' one handler of staff refusals (the table in :mod:`web.staff_errors`): a text
flashed on the page the action came from, a refused file's problems row by row, or an
error page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from flask.typing import ResponseReturnValue

from consent import staff_actions
from consent.import_files import SHOWN_ERRORS, ImportRejected
from web.staff_errors import GO_BACK, REFUSALS, refusal
from web.staff_pages.blueprint import bp, deps, error_page, our_page
from web.staff_pages.texts import field_label, reason


def refused(error: Exception) -> ResponseReturnValue:
    """The page that answers ``error``."""
    entry = refusal(error)
    if isinstance(error, ImportRejected):  # the course's preview page, listing the problems
        course = staff_actions.course(deps().staff, _course_code())
        return render_template("preview.html", course=course, errors=row_errors(error)), 400
    if entry.page_status == GO_BACK:
        flash(entry.page)
        return redirect(back())
    return error_page(entry.page_status, entry.page)


def back() -> str:
    """The page an action came from (only a page of ours): the ``back`` it names, else the
    page of the course it acted on, else the course list."""
    code = _course_code()
    default = f"/staff/courses/{code}" if code else ""
    return our_page(request.values.get("back", "") or default, "/staff/courses/")


def row_errors(rejected: ImportRejected) -> list[dict[str, object]]:
    """Each problem, row by row, in Finnish where the reason is known (never a value)."""
    return [
        {"row": e.row, "field": field_label(e.field), "reason": reason(e.reason)}
        for e in rejected.errors[:SHOWN_ERRORS]
    ]


def _course_code() -> str:
    code = (request.view_args or {}).get("code", "")
    return code if isinstance(code, str) else ""


for _kind in REFUSALS:
    bp.register_error_handler(_kind, refused)
