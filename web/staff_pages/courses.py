"""Courses: the list, a new course, editing one."""

from __future__ import annotations

import re

from flask import flash, redirect, render_template, request
from flask.typing import ResponseReturnValue

from consent import staff_actions
from consent.errors import OppilaitosLocked
from consent.staff import Role
from web.routes import COURSE_CODE, CourseCodeConverter
from web.staff_pages.blueprint import actor, bp, deps, require
from web.staff_pages.course_form import (
    check,
    compact,
    document_from,
    masked,
    part_rows,
    values_of,
)
from web.staff_pages.texts import text


@bp.get("/courses")
def courses() -> ResponseReturnValue:
    """Every course, the latest ending first, and the consents for course codes no course has."""
    pages = deps()
    return render_template(
        "courses.html",
        courses=staff_actions.courses(pages.staff),
        unknown=pages.status.unknown_course_consents(),
    )


@bp.route("/courses/new", methods=["GET", "POST"])
def new_course() -> ResponseReturnValue:
    """Define a course; ``?code=`` fills in the code (the attention list links an unknown
    course's consents here)."""
    require(Role.STAFF)
    return _course_form(None, _with_code(request.args.get("code", "")[:64]))


def _with_code(typed: str) -> dict[str, str] | None:
    """The new course form's defaults with ``typed`` as its code, if it is a course code."""
    if re.fullmatch(CourseCodeConverter.regex, typed) is None:
        return None
    return {"language": "FI", "grading_scale": "hyvaksytty-hylatty", "code": typed}


@bp.route(f"/courses/<{COURSE_CODE}:code>/edit", methods=["GET", "POST"])
def edit_course(code: str) -> ResponseReturnValue:
    """Change a course; its code stays."""
    require(Role.STAFF)
    return _course_form(code, values_of(staff_actions.course(deps().staff, code)))


def _course_form(code: str | None, stored: dict[str, str] | None = None) -> ResponseReturnValue:
    if request.method == "GET":
        values = stored or {"language": "FI", "grading_scale": "hyvaksytty-hylatty"}
        return _render(code, values, {})
    values = compact({k: v[:300] for k, v in request.form.items() if k != "csrf_token"})
    if code is None and _taken(values.get("code", "").strip()):
        return _render(code, masked(values), {"code": text("code_taken")}), 400
    course, problems = check(document_from(values), code)
    if course is None:
        return _render(code, masked(values), masked(problems)), 400
    try:
        staff_actions.save_course(deps().staff, course, actor())
    except OppilaitosLocked:  # the form again, saying so at the field
        return _render(code, masked(values), {"oppilaitos_oid": text("oppilaitos_locked")}), 409
    flash("saved")
    return redirect(f"/staff/courses/{course.code}")


def _taken(typed: str) -> bool:
    """Whether a course has the code typed for a new one. Only a code in the course schema's
    form is looked up: anything else (a NUL byte, which PostgreSQL refuses in text) is left
    to :func:`check`, which names the field."""
    return (
        re.fullmatch(CourseCodeConverter.regex, typed) is not None
        and deps().staff.courses.find_course(typed) is not None
    )


def _render(code: str | None, values: dict[str, str], problems: dict[str, str]) -> str:
    return render_template(
        "course_form.html",
        code=code,
        values=values,
        problems=problems,
        part_rows=part_rows(values),
    )
