"""The staff API's exports: a course's participants as CSV or XLSX (masked; ``?hetu=full``
for the staff role only, audited), the yearly summary (JSON, CSV or XLSX, counts only) and
a consent's signed PDF (staff role, audited). Registered on the staff API's blueprint."""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from consent import staff_actions
from consent.export_views import YearSummary
from consent.staff import Actor, Role
from web.downloads import FULL, MEDIA_TYPES, download, form_response, parse_year
from web.problems import problem
from web.routes import COURSE_CODE, ROW_ID
from web.staff_api.views import bp, staff_api, staff_member
from web.staff_pages import export_tables


def _unknown_parameters(known: set[str]) -> ResponseReturnValue | None:
    """A 400 naming no value when the query holds a parameter the operation does not know
    (or one twice): a typo must not quietly give another export than the one asked for."""
    given = list(request.args.keys())
    if set(given) <= known and all(len(request.args.getlist(key)) == 1 for key in given):
        return None
    errors = [{"field": "(query)", "reason": f"only {', '.join(sorted(known))}, each once"}]
    return problem(400, "The query is not valid.", errors=errors)


def _format_problem() -> ResponseReturnValue:
    errors = [{"field": "format", "reason": "must be csv or xlsx"}]
    return problem(400, "The format is not valid.", errors=errors)


@bp.get(f"/courses/<{COURSE_CODE}:code>/export")
def course_export(code: str) -> ResponseReturnValue:
    """The course's participants as ``?format=csv`` (default) or ``xlsx``, masked;
    ``?hetu=full`` (staff role) has full hetus and names, and is audited as such."""
    if (refused := _unknown_parameters({"format", "hetu"})) is not None:
        return refused
    kind = request.args.get("format", "csv")
    if kind not in MEDIA_TYPES:
        return _format_problem()
    if request.args.get("hetu", FULL) != FULL:
        errors = [{"field": "hetu", "reason": "must be full, or left out"}]
        return problem(400, "The hetu parameter is not valid.", errors=errors)
    full = "hetu" in request.args
    if full and not staff_member().role.allows(Role.STAFF):
        return problem(403, f"This needs the {Role.STAFF.value} role.")
    actor = Actor.member(staff_member())
    export = staff_actions.export_course(staff_api().staff, code, actor, full_hetu=full)
    body = export_tables.course_file(export, kind)
    return download(body, kind, export_tables.course_filename(export, kind))


@bp.get("/summary")
def year_summary() -> ResponseReturnValue:
    """A calendar year's records per opintokokonaisuus (``?year=2026``, default this year):
    JSON, or ``?format=csv`` / ``xlsx``."""
    if (refused := _unknown_parameters({"format", "year"})) is not None:
        return refused
    year = parse_year(request.args.get("year", str(staff_api().clock().date().year)))
    if year is None:
        errors = [{"field": "year", "reason": "must be a year 2000-2099"}]
        return problem(400, "The year is not valid.", errors=errors)
    summary = staff_actions.year_summary(staff_api().staff, year)
    kind = request.args.get("format", "json")
    if kind == "json":
        return jsonify(summary_json(summary))
    if kind not in MEDIA_TYPES:
        return _format_problem()
    body = export_tables.summary_file(summary, kind)
    return download(body, kind, export_tables.summary_filename(summary, kind))


def summary_json(summary: YearSummary) -> dict[str, object]:
    """The summary as the API answers it."""
    return {
        "year": summary.year,
        "opintokokonaisuudet": [
            {
                "opintokokonaisuus": c.opintokokonaisuus,
                "sent": c.sent,
                "interrupted": c.interrupted,
                "invalidated": c.invalidated,
            }
            for c in summary.counts
        ],
    }


@bp.get(f"/consents/<{ROW_ID}:consent_id>/form")
def signed_form(consent_id: int) -> ResponseReturnValue:
    """The consent's signed PDF as a file (staff role), audited; 404 when none is kept."""
    if not staff_member().role.allows(Role.STAFF):
        return problem(403, f"This needs the {Role.STAFF.value} role.")
    actor = Actor.member(staff_member())
    form = staff_actions.signed_form(staff_api().staff, consent_id, actor, download=True)
    return form_response(form, download=True)
