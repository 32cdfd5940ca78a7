"""Spreadsheets and signed forms staff take away from the pages: a course's export (masked;
full hetus for the ``staff`` role only, audited), the yearly summary per opintokokonaisuus,
and a consent's signed PDF (``staff`` only, audited), viewed in the browser or downloaded.

No address carries personal data: a course code, a year, a consent's id. Every answer is
``Cache-Control: no-store``, and a file's name holds only a course code, a year or an id.
"""

from __future__ import annotations

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue

from consent import staff_actions
from consent.staff import Role
from web.downloads import FULL, MEDIA_TYPES, download, form_response, parse_year
from web.routes import COURSE_CODE, ROW_ID
from web.staff_pages import export_tables
from web.staff_pages.blueprint import actor, bp, deps, error_page, require


@bp.get(f"/courses/<{COURSE_CODE}:code>/export")
def course_export(code: str) -> ResponseReturnValue:
    """The course's participants as CSV or XLSX; ``?hetu=full`` needs the staff role."""
    kind = request.args.get("format", "csv")
    if kind not in MEDIA_TYPES:
        return error_page(400, "bad_format")
    full = request.args.get("hetu") == FULL
    if full:
        require(Role.STAFF)
    export = staff_actions.export_course(deps().staff, code, actor(), full_hetu=full)
    body = export_tables.course_file(export, kind)
    return download(body, kind, export_tables.course_filename(export, kind))


@bp.get("/summary")
def year_summary() -> ResponseReturnValue:
    """The yearly summary: a page with a year's counts, or the same as CSV or XLSX."""
    year = parse_year(request.args.get("year", str(deps().clock().date().year)).strip())
    if year is None:
        return render_template("summary.html", summary=None, problem="bad_year"), 400
    summary = staff_actions.year_summary(deps().staff, year)
    kind = request.args.get("format")
    if kind is None:
        return render_template("summary.html", summary=summary, problem=None)
    if kind not in MEDIA_TYPES:
        return error_page(400, "bad_format")
    body = export_tables.summary_file(summary, kind)
    return download(body, kind, export_tables.summary_filename(summary, kind))


@bp.get(f"/consents/<{ROW_ID}:consent_id>/form")
def signed_form(consent_id: int) -> ResponseReturnValue:
    """The consent's signed PDF, shown in the browser."""
    return _form(consent_id, download=False)


@bp.get(f"/consents/<{ROW_ID}:consent_id>/form/download")
def signed_form_download(consent_id: int) -> ResponseReturnValue:
    """The consent's signed PDF, as a file to save."""
    return _form(consent_id, download=True)


def _form(consent_id: int, *, download: bool) -> Response:
    require(Role.STAFF)
    form = staff_actions.signed_form(deps().staff, consent_id, actor(), download=download)
    return form_response(form, download=download)
