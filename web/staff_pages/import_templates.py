"""Import templates to download from a course page: a results file and an enrolment file
with the course's own columns, as CSV (semicolons and a UTF-8 BOM, which is what Finnish
Excel opens in columns with its letters right) or as XLSX (a second sheet explains each
column; the import reads the first sheet only, so the template imports as it is filled)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from flask import Response, abort
from flask.typing import ResponseReturnValue

from consent import staff_actions
from consent.adapters.xlsx import workbook
from consent.connector import ENROLMENT_FIELDS
from consent.import_files import XLSX_MEDIA_TYPE
from consent.results import PART_PREFIX, result_template
from consent.staff import Role
from web.routes import COURSE_CODE
from web.staff_pages.blueprint import bp, deps, require
from web.staff_pages.texts import text

FORMATS: Final = ("csv", "xlsx")
_BOM: Final = "\ufeff"


@bp.get(f"/courses/<{COURSE_CODE}:code>/templates/results.<fmt>")
def results_template(code: str, fmt: str) -> ResponseReturnValue:
    """The course's results template: its columns, a ``part:<code>`` column per part."""
    require(Role.STAFF)
    course = staff_actions.course(deps().staff, code)
    header = result_template(course)
    parts = {f"{PART_PREFIX}{part.code}": part.name for part in course.parts}
    notes = [(name, parts.get(name) or text(f"column.{name}")) for name in header]
    return _download(header, notes, f"tulokset-{course.code}", fmt)


@bp.get(f"/courses/<{COURSE_CODE}:code>/templates/enrolments.<fmt>")
def enrolments_template(code: str, fmt: str) -> ResponseReturnValue:
    """The enrolment template, for a course that exists with the signing connector on."""
    require(Role.STAFF)
    staff_actions.signing_for(deps().staff, code)
    notes = [(name, text(f"column.{name}")) for name in ENROLMENT_FIELDS]
    return _download(ENROLMENT_FIELDS, notes, f"osallistujat-{code}", fmt)


def _download(
    header: Sequence[str], notes: Sequence[tuple[str, str]], name: str, fmt: str
) -> ResponseReturnValue:
    if fmt == "csv":
        body = (_BOM + ";".join(header) + "\r\n").encode()
        media_type = "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = workbook(header, notes, text("template.data"), text("template.notes"))
        media_type = XLSX_MEDIA_TYPE
    else:
        abort(404)
    disposition = f'attachment; filename="{name}.{fmt}"'
    return Response(body, mimetype=media_type, headers={"Content-Disposition": disposition})
