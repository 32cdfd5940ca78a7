"""The staff JSON API: courses, result imports, status, invalidation, revocation.

Every endpoint needs ``Authorization: Bearer <token>`` (tokens from ``vst-consent staff
token-create``): 401 without a valid one, 403 when its role lacks the right. The same
use cases serve the CLI.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from flask import Blueprint, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue

from consent import grading
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.enrolments import SqlEnrolments
from consent.adapters.sql.results import SqlResults
from consent.adapters.sql.submissions import SqlSubmissions
from consent.connector import ENROLMENT_COLUMNS, check_enrolment_rows
from consent.courses import Course, parse_course
from consent.errors import InvalidCourse, InvalidHetu, NotFound, UnknownCourse
from consent.hetu import Hetu
from consent.import_files import ImportRejected, read_rows
from consent.ports import GradingJobs, Koski, StatusReader
from consent.results import result_columns
from consent.staff import Role, StaffMember
from consent.strict_json import StrictJsonError, loads_strict
from consent.views import status_json
from schemas import schema_problems
from web.problems import problem
from web.routes import COURSE_CODE, ROW_ID

bp = Blueprint("staff_api", __name__, url_prefix="/api")
MAX_IMPORT = 10 * 1024 * 1024  # a results file of some tens of thousands of rows
# An unknown course's 404 quotes no code: the address is the caller's and may hold anything.
NO_SUCH_COURSE: Final = "No such course."
log = logging.getLogger("vst.staff_api")


@dataclass(frozen=True)
class StaffApi:
    """What the staff endpoints need."""

    authenticate: Callable[[str], StaffMember | None]
    courses: SqlCourses
    results: SqlResults
    submissions: SqlSubmissions
    status: StatusReader
    jobs: GradingJobs
    koski: Koski
    clock: Callable[[], dt.datetime]
    allow_temporary_hetu: bool
    enrolments: SqlEnrolments | None = None
    invite: Callable[[int], None] | None = None  # queues the signing connector's invitation
    signing_expiry_days: int = 30


def _api() -> StaffApi:
    api: StaffApi = current_app.extensions["vst.staff_api"]
    return api


@bp.before_request
def authenticate() -> ResponseReturnValue | None:
    """401 unless a valid staff token is presented."""
    request.max_content_length = MAX_IMPORT  # the app-wide limit is the webhook's 64 KiB
    header = request.headers.get("Authorization", "")
    member = _api().authenticate(header[7:]) if header.startswith("Bearer ") else None
    if member is None:
        return problem(
            401, "A valid staff token is needed.", headers={"WWW-Authenticate": "Bearer"}
        )
    g.staff = member
    return None


def _require(role: Role) -> ResponseReturnValue | None:
    member: StaffMember = g.staff
    if member.role.allows(role):
        return None
    return problem(403, f"This needs the {role.value} role.")


@bp.put(f"/courses/<{COURSE_CODE}:code>")
def put_course(code: str) -> ResponseReturnValue:
    """Create or update a course."""
    if (refused := _require(Role.STAFF)) is not None:
        return refused
    try:
        document: Any = loads_strict(request.get_data())
    except StrictJsonError as error:
        return problem(
            400, "The course is not valid.", errors=[{"field": "(body)", "reason": str(error)}]
        )
    if errors := schema_problems("course", document):
        return problem(400, "The course is not valid.", errors=errors)
    try:
        course = _course_at(code, document)
    except InvalidCourse as error:
        return problem(
            422, "The course is not valid.", errors=[{"field": error.field, "reason": error.reason}]
        )
    _api().courses.save_course(course, f"staff:{g.staff.name}")
    return jsonify(
        code=course.code, parts=len(course.effective_parts), laajuus_op=float(course.laajuus_op)
    )


def _course_at(code: str, document: Any) -> Course:
    """The schema-valid ``document`` as the course at ``code``; :class:`InvalidCourse` (a 422:
    well-formed, but against a rule no schema states) when the two codes differ or the parts
    do not add up."""
    if document["code"] != code:
        raise InvalidCourse("code", "differs from the code in the address")
    return parse_course(document)


@bp.post(f"/courses/<{COURSE_CODE}:code>/results")
def import_results(code: str) -> ResponseReturnValue:
    """Import a course's results: JSON, or CSV with ``Content-Type: text/csv``."""
    if (refused := _require(Role.STAFF)) is not None:
        return refused
    api = _api()
    course = api.courses.find_course(code)
    if course is None:
        return problem(404, NO_SUCH_COURSE)
    kind = "csv" if request.mimetype == "text/csv" else "json"
    try:
        rows = read_rows(request.get_data(), kind, result_columns(course))
        summary = grading.import_results(
            course,
            rows,
            api.results,
            api.jobs,
            today=api.clock().date(),
            actor=f"staff:{g.staff.name}",
            allow_temporary=api.allow_temporary_hetu,
        )
    except ImportRejected as rejected:
        return _refused(rejected, "Nothing was imported.")
    return jsonify(changed=summary.changed, unchanged=summary.unchanged)


def _refused(rejected: ImportRejected, detail: str) -> ResponseReturnValue:
    """400 when the file as a whole is wrong (``(file)``: not UTF-8, not JSON, no rows, too
    many); 422 when it reads as rows but its header or rows break rules (a hetu's check
    character, a grade off the course's scale, a part the course lacks), as the OpenAPI
    document says: a schema can state the first, not the second."""
    errors = [{"row": e.row, "field": e.field, "reason": e.reason} for e in rejected.errors]
    status = 400 if any(e.field == "(file)" for e in rejected.errors) else 422
    return problem(status, detail, errors=errors[:200])


@bp.post(f"/courses/<{COURSE_CODE}:code>/enrolments")
def enrol(code: str) -> ResponseReturnValue:
    """Invite a course's participants (or a minor's guardian) to sign: JSON, or ``text/csv``."""
    if (refused := _require(Role.STAFF)) is not None:
        return refused
    api = _api()
    if api.enrolments is None or api.invite is None:
        return problem(404, "The signing connector is not configured.")
    if api.courses.find_course(code) is None:
        return problem(404, NO_SUCH_COURSE)
    kind = "csv" if request.mimetype == "text/csv" else "json"
    try:
        raw = read_rows(request.get_data(), kind, ENROLMENT_COLUMNS)
        rows = check_enrolment_rows(raw, api.clock().date())
    except ImportRejected as rejected:
        return _refused(rejected, "Nobody was enrolled.")
    expires = api.clock() + dt.timedelta(days=api.signing_expiry_days)
    new, known = api.enrolments.enrol(code[:64], rows, expires, f"staff:{g.staff.name}")
    for enrolment_id in new:
        api.invite(enrolment_id)
    return jsonify(enrolled=len(new), enrolled_before=known)


@bp.get(f"/courses/<{COURSE_CODE}:code>/enrolments")
def enrolments(code: str) -> ResponseReturnValue:
    """Where each participant's signing stands (masked), with the signing link."""
    api = _api()
    if api.enrolments is None:
        return problem(404, "The signing connector is not configured.")
    if api.courses.find_course(code) is None:  # not an empty list: there is no such course
        return problem(404, NO_SUCH_COURSE)
    return jsonify(course=code, enrolments=api.enrolments.course_enrolments(code))


@bp.get(f"/courses/<{COURSE_CODE}:code>/status")
def status(code: str) -> ResponseReturnValue:
    """Per participant, masked: consent, result, binding, KOSKI state and errors."""
    return _status(code, None)


@bp.post(f"/courses/<{COURSE_CODE}:code>/status/person")
def person_status(code: str) -> ResponseReturnValue:
    """One person, unmasked; the hetu goes in the body so it never reaches an access log."""
    try:
        body = loads_strict(request.get_data())
    except StrictJsonError as error:
        return problem(400, "The body is not valid.", errors=[_field("(body)", str(error))])
    if not isinstance(body, dict) or body.keys() != {"hetu"} or not isinstance(body["hetu"], str):
        return problem(
            400, "The body is not valid.", errors=[_field("(body)", 'must be {"hetu": "…"}')]
        )
    try:
        hetu = Hetu.parse(body["hetu"], today=_api().clock().date(), allow_temporary=True)
    except InvalidHetu as error:  # a string, but not a hetu: well-formed, so 422
        return problem(422, "The hetu is not valid.", errors=[_field("hetu", error.reason)])
    return _status(code, hetu)


def _field(name: str, reason: str) -> dict[str, str]:
    return {"field": name, "reason": reason}


def _status(code: str, hetu: Hetu | None) -> ResponseReturnValue:
    try:
        rows = _api().status.course_status(code, hetu)
    except UnknownCourse:
        return problem(404, NO_SUCH_COURSE)
    return jsonify(course=code, participants=[status_json(row) for row in rows])


@bp.post(f"/submissions/<{ROW_ID}:submission_id>/invalidate")
def invalidate(submission_id: int) -> ResponseReturnValue:
    """Mitätöinti of a record sent by mistake."""
    if (refused := _require(Role.STAFF)) is not None:
        return refused
    api = _api()
    try:
        state = grading.invalidate(
            submission_id, api.submissions, api.koski, api.clock, actor=f"staff:{g.staff.name}"
        )
    except NotFound as error:
        return problem(404, str(error))
    except ValueError as error:
        return problem(409, str(error))
    log.info(
        "submission.invalidate submission_id=%s by=%s state=%s",
        submission_id,
        g.staff.name,
        state.value,
    )
    return jsonify(
        submission=submission_id, state=state.value
    ), 200 if state.value == "invalidated" else 502


@bp.post(f"/consents/<{ROW_ID}:consent_id>/revoke")
def revoke(consent_id: int) -> ResponseReturnValue:
    """Register a revocation OPH told the organiser of: nothing for it is ever sent again."""
    if (refused := _require(Role.STAFF)) is not None:
        return refused
    try:
        stopped = _api().submissions.revoke(consent_id, f"staff:{g.staff.name}", "staff")
    except NotFound as error:
        return problem(404, str(error))
    return jsonify(consent=consent_id, state="revoked", submissions_stopped=stopped)
