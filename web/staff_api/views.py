"""The staff JSON API: courses, result imports, enrolments, status, invalidation, revocation.

Every endpoint needs ``Authorization: Bearer <token>`` (tokens from ``vst-consent staff
token-create``): 401 without a valid one, 403 when its role lacks the right. Each change is
one staff action (:mod:`consent.staff_actions`), as on the pages and in the CLI, and each
refusal is answered by the one table in :mod:`web.staff_errors`.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue

from consent import staff_actions
from consent.enrolment_views import enrolment_json
from consent.errors import ConsentNotRecorded, InvalidHetu
from consent.hetu import Hetu
from consent.import_files import file_kind
from consent.model import SubmissionState
from consent.ports import Clock, StatusReader
from consent.recorded_consents import read_form
from consent.staff import Actor, Role, StaffMember
from consent.staff_actions import StaffServices
from consent.strict_json import StrictJsonError, loads_strict
from consent.views import ParticipantStatus, status_json, unknown_course_json
from web.problems import problem
from web.routes import COURSE_CODE, ROW_ID
from web.staff_errors import register_problems

bp = Blueprint("staff_api", __name__, url_prefix="/api")
register_problems(bp)
NOT_A_FORM = 'must be a JSON object of the form\'s fields and "pdf" (base64)'
MAX_IMPORT = 10 * 1024 * 1024  # a results file of some tens of thousands of rows
log = logging.getLogger("vst.staff_api")


@dataclass(frozen=True)
class StaffApi:
    """What the staff endpoints need."""

    authenticate: Callable[[str], StaffMember | None]
    staff: StaffServices
    status: StatusReader
    clock: Clock


def staff_api() -> StaffApi:
    """The endpoints' dependencies, as ``create_app`` built them."""
    api: StaffApi = current_app.extensions["vst.staff_api"]
    return api


def staff_member() -> StaffMember:
    """The staff member whose token this request carries."""
    member: StaffMember = g.staff
    return member


def _actor() -> Actor:
    """Who the token belongs to, as the audit trail names them."""
    member: StaffMember = g.staff
    return Actor.member(member)


@bp.before_request
def authenticate() -> ResponseReturnValue | None:
    """401 unless a valid staff token is presented."""
    request.max_content_length = MAX_IMPORT  # the app-wide limit is the webhook's 64 KiB
    header = request.headers.get("Authorization", "")
    member = staff_api().authenticate(header[7:]) if header.startswith("Bearer ") else None
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
    course = staff_actions.save_course_document(
        staff_api().staff, request.get_data(), _actor(), code
    )
    return jsonify(
        code=course.code, parts=len(course.effective_parts), laajuus_op=float(course.laajuus_op)
    )


@bp.post(f"/courses/<{COURSE_CODE}:code>/results")
def import_results(code: str) -> ResponseReturnValue:
    """Import a course's results: JSON, CSV with ``Content-Type: text/csv``, or a workbook
    with the ``.xlsx`` media type (a zip or an old ``.xls`` is told by its bytes whatever the
    type says)."""
    if (refused := _require(Role.STAFF)) is not None:
        return refused
    kind = file_kind(media_type=request.mimetype)
    summary = staff_actions.import_results(
        staff_api().staff, code, request.get_data(), kind, _actor()
    )
    answer: dict[str, Any] = {"changed": summary.changed, "unchanged": summary.unchanged}
    if summary.warnings:  # rows KOSKI would refuse as duplicates: imported, and said so
        answer["warnings"] = [
            {"row": w.row, "course": w.course_code, "reason": w.reason} for w in summary.warnings
        ]
    return jsonify(answer)


@bp.post(f"/courses/<{COURSE_CODE}:code>/enrolments")
def enrol(code: str) -> ResponseReturnValue:
    """Invite a course's participants (or a minor's guardian) to sign: JSON, ``text/csv`` or
    an ``.xlsx`` workbook."""
    if (refused := _require(Role.STAFF)) is not None:
        return refused
    kind = file_kind(media_type=request.mimetype)
    enrolled = staff_actions.enrol(staff_api().staff, code, request.get_data(), kind, _actor())
    return jsonify(enrolled=enrolled.new, enrolled_before=enrolled.known)


@bp.get(f"/courses/<{COURSE_CODE}:code>/enrolments")
def enrolments(code: str) -> ResponseReturnValue:
    """Where each participant's signing stands (masked), with the signing link."""
    rows = staff_actions.enrolments(staff_api().staff, code)
    return jsonify(course=code, enrolments=[enrolment_json(row) for row in rows])


@bp.get(f"/courses/<{COURSE_CODE}:code>/status")
def status(code: str) -> ResponseReturnValue:
    """Per participant, masked: consent, result, binding, KOSKI state and errors."""
    return _status(code, staff_api().status.course_status(code))


@bp.post(f"/courses/<{COURSE_CODE}:code>/status/person")
def person_status(code: str) -> ResponseReturnValue:
    """One person, unmasked and audited; the hetu goes in the body so it never reaches an
    access log."""
    try:
        body = loads_strict(request.get_data())
    except StrictJsonError as error:
        return problem(400, "The body is not valid.", errors=[_field("(body)", str(error))])
    if not isinstance(body, dict) or body.keys() != {"hetu"} or not isinstance(body["hetu"], str):
        return problem(
            400, "The body is not valid.", errors=[_field("(body)", 'must be {"hetu": "…"}')]
        )
    try:
        hetu = Hetu.parse(body["hetu"], today=staff_api().clock().date(), allow_temporary=True)
    except InvalidHetu as error:  # a string, but not a hetu: well-formed, so 422
        return problem(422, "The hetu is not valid.", errors=[_field("hetu", error.reason)])
    return _status(code, staff_actions.look_up_person(staff_api().staff, code, hetu, _actor()))


def _text_or_none(body: dict[str, Any]) -> bool:
    """Whether the body's ``reason``, if it has one, is a string (a code, checked later)."""
    return isinstance(body.get("reason", ""), str)


def _field(name: str, reason: str) -> dict[str, str]:
    return {"field": name, "reason": reason}


def _status(code: str, rows: list[ParticipantStatus]) -> ResponseReturnValue:
    """The course's status rows as the API answers them (an unknown course was answered
    from the table: a 404)."""
    return jsonify(course=code, participants=[status_json(row) for row in rows])


@bp.get("/consents/unknown-courses")
def unknown_course_consents() -> ResponseReturnValue:
    """Consents for a course code no course has (yet), masked: they bind once it is defined."""
    consents = staff_api().status.unknown_course_consents()
    return jsonify(consents=[unknown_course_json(consent) for consent in consents])


@bp.post(f"/submissions/<{ROW_ID}:submission_id>/invalidate")
def invalidate(submission_id: int) -> ResponseReturnValue:
    """Mitätöinti of a record sent by mistake, with its reason code in an optional body
    ``{"reason": "wrong_person"}`` (the audit trail keeps it): 200 once KOSKI invalidated it,
    502 when KOSKI did not (the record stays as it was, with KOSKI's answer)."""
    if (refused := _require(Role.STAFF)) is not None:
        return refused
    raw = request.get_data()
    try:
        body = loads_strict(raw) if raw.strip() else {}
    except StrictJsonError as error:
        return problem(400, "The body is not valid.", errors=[_field("(body)", str(error))])
    if not isinstance(body, dict) or set(body) - {"reason"} or not _text_or_none(body):
        return problem(
            400, "The body is not valid.", errors=[_field("(body)", 'must be {"reason": "…"}')]
        )
    reason = body.get("reason")
    state = staff_actions.invalidate(staff_api().staff, submission_id, _actor(), reason)
    log.info(
        "submission.invalidate submission_id=%s by=%s state=%s",
        submission_id,
        g.staff.name,
        state.value,
    )
    done = state is SubmissionState.INVALIDATED
    return jsonify(submission=submission_id, state=state.value), 200 if done else 502


@bp.post(f"/submissions/<{ROW_ID}:submission_id>/retry")
def retry(submission_id: int) -> ResponseReturnValue:
    """Send a parked or failed submission again: 202 once it is queued; 409 for one in
    any other state."""
    if (refused := _require(Role.STAFF)) is not None:
        return refused
    staff_actions.retry(staff_api().staff, submission_id, _actor())
    return jsonify(submission=submission_id, state=SubmissionState.PENDING.value), 202


@bp.post(f"/courses/<{COURSE_CODE}:code>/retry")
def retry_course(code: str) -> ResponseReturnValue:
    """Send every parked or failed submission of the course again: the ids queued."""
    if (refused := _require(Role.STAFF)) is not None:
        return refused
    retried = staff_actions.retry_course(staff_api().staff, code, _actor())
    return jsonify(course=code, retried=retried)


@bp.post(f"/submissions/<{ROW_ID}:submission_id>/send-again")
def send_again(submission_id: int) -> ResponseReturnValue:
    """Send an invalidated record anew, as it stands now: 202 once it is queued (KOSKI
    creates a new record); 409 for a record that is not invalidated."""
    if (refused := _require(Role.STAFF)) is not None:
        return refused
    staff_actions.send_again(staff_api().staff, submission_id, _actor())
    return jsonify(submission=submission_id, state=SubmissionState.PENDING.value), 202


@bp.post(f"/courses/<{COURSE_CODE}:code>/consents")
def record_consent(code: str) -> ResponseReturnValue:
    """Record a consent from a signed paper form: the form's fields as JSON (a participant
    by ``hetu``, or by ``oppijanumero`` and ``birth_date``; who signed) and the scanned PDF
    as ``pdf`` in base64. Personal data goes in the body, never in the address."""
    if (refused := _require(Role.STAFF)) is not None:
        return refused
    try:
        body = loads_strict(request.get_data())
    except StrictJsonError as error:
        return problem(400, "The body is not valid.", errors=[_field("(body)", str(error))])
    if not isinstance(body, dict) or not isinstance(body.get("pdf", ""), str):
        return problem(400, "The body is not valid.", errors=[_field("(body)", NOT_A_FORM)])
    try:
        pdf = base64.b64decode(body.pop("pdf", ""), validate=True)
    except ValueError:  # binascii.Error, or a text that is not ASCII: a 422, as a non-PDF
        raise ConsentNotRecorded("pdf", "must be base64") from None
    staff = staff_api().staff
    form = read_form(
        code, body, pdf, today=staff.clock().date(), allow_temporary=staff.allow_temporary_hetu
    )
    recorded = staff_actions.record_consent(staff, form, _actor())
    answer = {
        "consent": recorded.consent_id,
        "relation": recorded.relation,
        "results_bound": recorded.results,
    }
    return jsonify(answer), 201


@bp.post(f"/consents/<{ROW_ID}:consent_id>/revoke")
def revoke(consent_id: int) -> ResponseReturnValue:
    """Register a revocation OPH told the organiser of: nothing for it is ever sent again."""
    if (refused := _require(Role.STAFF)) is not None:
        return refused
    stopped = staff_actions.revoke(staff_api().staff, consent_id, _actor())
    return jsonify(consent=consent_id, state="revoked", submissions_stopped=stopped)
