"""One person's requests on the pages (staff role): everything held about them, shown or
downloaded as JSON or PDF; a result removed on request; an enrolment's contact deleted.

The hetu comes in a form body, never in an address, and is answered in the same response:
no redirect, cookie or log line carries it. Each export, removal and deletion is audited
with the staff member by the staff action it calls.
"""

from __future__ import annotations

import json
from typing import Final

from flask import Response, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue

from consent import staff_actions
from consent.adapters.person_pdf import person_pdf
from consent.errors import IdentifiedByHetu, InvalidHetu
from consent.person_views import export_json
from consent.staff import Role
from consent.staff_actions.people import REMOVAL_REASONS
from web.routes import ROW_ID
from web.staff_pages.blueprint import actor, bp, deps, require
from web.staff_pages.texts import text

AFTER: Final = "/staff/person"  # where an action on a person's data returns (no hetu in it)
DOWNLOADS: Final = {"json": "application/json", "pdf": "application/pdf"}


@bp.get("/person")
def person_form() -> ResponseReturnValue:
    """The form that asks for a person's hetu."""
    require(Role.STAFF)
    return _form(None, 200)


@bp.post("/person")
def person_export() -> ResponseReturnValue:
    """Everything held about the person the form names: a page, or a JSON or PDF file."""
    require(Role.STAFF)
    wanted = request.form.get("format", "html")
    try:
        export = staff_actions.export_person(
            deps().staff, request.form.get("hetu", "")[:64], actor()
        )
    except InvalidHetu:
        return _form(text("bad_hetu"), 400)
    except IdentifiedByHetu:
        return _form(text("identified_by_hetu"), 422)
    now = deps().clock()
    if wanted == "pdf":
        return _download(person_pdf(export, now), "pdf")
    document = export_json(export, now)
    if wanted == "json":
        body = json.dumps(document, ensure_ascii=False, indent=2).encode()
        return _download(body, "json")
    forms = staff_actions.forms_among(deps().staff, [c.id for c in export.consents])
    return render_template(
        "person.html", export=export, document=document, reasons=REMOVAL_REASONS, forms=forms
    )


def _form(problem: str | None, status: int) -> ResponseReturnValue:
    return render_template("person.html", export=None, problem=problem), status


def _download(body: bytes, kind: str) -> Response:
    response = Response(body, mimetype=DOWNLOADS[kind])
    response.headers["Content-Disposition"] = f'attachment; filename="henkilotiedot.{kind}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post(f"/results/<{ROW_ID}:result_id>/remove")
def remove_result(result_id: int) -> ResponseReturnValue:
    """Remove a participant's result on request, for the reason chosen."""
    require(Role.STAFF)
    reason = request.form.get("reason", "")
    removed = staff_actions.remove_result(deps().staff, result_id, actor(), reason)
    if removed.deleted:
        flash("result_deleted")
    else:
        flash("result_removed_live" if removed.record_live else "result_removed")
    return redirect(AFTER)


@bp.post(f"/enrolments/<{ROW_ID}:enrolment_id>/delete-contact")
def delete_contact(enrolment_id: int) -> ResponseReturnValue:
    """Delete an enrolment's contact details on request."""
    require(Role.STAFF)
    staff_actions.delete_contact(deps().staff, enrolment_id, actor())
    flash("contact_deleted")
    return redirect(AFTER)
