"""A course's participants: consent, result and KOSKI state for each, a search by hetu, and
the actions staff take on one record (retry, invalidate, register a revocation)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Final

from flask import flash, redirect, render_template, request
from flask.typing import ResponseReturnValue

from consent import grading, staff_actions
from consent.adapters.vismasign import is_web_page
from consent.errors import InvalidHetu, UnknownInvalidationReason
from consent.hetu import Hetu
from consent.model import SubmissionState
from consent.record_rules import WAITING_FOR_END
from consent.staff import Role
from consent.views import NO_RESULT, PENDING_BINDING, ParticipantStatus
from web.routes import COURSE_CODE, ROW_ID
from web.staff_pages.blueprint import actor, bp, deps, require
from web.staff_pages.refusals import back
from web.staff_pages.texts import text

log = logging.getLogger("vst.staff_pages")
# Held back by binding: the page says why, in the binding's words.
HELD_BACK_SHOWN: Final = frozenset({SubmissionState.ATTENTION, SubmissionState.WITHDRAWN})


@dataclass(frozen=True)
class ShownRow:
    """A status row with its labels worked out for the page."""

    status: ParticipantStatus
    consent_label: str
    koski: str  # where the record stands with KOSKI, or why it is not sent
    koski_state: str  # the submission's state, else "pending", "no_result" or "not_eligible"


@bp.get(f"/courses/<{COURSE_CODE}:code>")
def course(code: str) -> ResponseReturnValue:
    """One row per participant, hetus masked; refreshes itself while transfers are under way."""
    return _page(code, None)


@bp.post(f"/courses/<{COURSE_CODE}:code>/person")
def find_person(code: str) -> ResponseReturnValue:
    """One person's row, unmasked; the hetu comes in the form body, never in an address."""
    raw = request.form.get("hetu", "").strip()[:16]
    try:
        hetu = Hetu.parse(raw, today=deps().clock().date(), allow_temporary=True)
    except InvalidHetu:
        return _page(code, None, search_error=text("bad_hetu"), status=400)
    return _page(code, hetu)


def _page(
    code: str, hetu: Hetu | None, search_error: str | None = None, status: int = 200
) -> ResponseReturnValue:
    pages = deps()
    the_course = staff_actions.course(pages.staff, code)  # none: a 404, from the table
    rows = (
        pages.status.course_status(code)
        if hetu is None
        else staff_actions.look_up_person(pages.staff, code, hetu, actor())
    )
    staff = pages.staff
    signing = None if staff.signing is None else staff_actions.enrolments(staff, code)
    moving = any(row.moving for row in rows)
    opens_forms = require(Role.VIEWER).role.allows(Role.STAFF)  # signed forms: staff only
    forms = staff_actions.consents_with_forms(staff, code) if opens_forms else set()
    return render_template(
        "course.html",
        course=the_course,
        rows=[_shown(r, the_course.end_date) for r in rows],
        person=hetu is not None,
        search_error=search_error,
        refresh=moving and hetu is None,
        reasons=grading.INVALIDATION_REASONS,
        signing=signing,
        forms=forms,
    ), status


@bp.app_template_test("web_link")
def web_link(url: str) -> bool:
    """Whether the page may make ``url`` (a signing address from Visma Sign) a link: an https
    address, or in local mode the sandbox's http one; anything else is shown as text."""
    return is_web_page(url, allow_http=deps().plain_http_links)


def _shown(row: ParticipantStatus, end_date: dt.date) -> ShownRow:
    """A status row with its labels worked out for the page (``end_date``, the course's)."""
    consent = row.consent
    if consent is None:
        consent_label = text("consent.none")
    elif consent.valid:
        consent_label = text(f"consent.valid.{consent.signer_relation or 'self'}")
    else:
        consent_label = text(f"consent.{consent.state.value}")
    if row.submission is not None:
        koski_state = row.submission.state.value
        koski = text(f"state.{koski_state}")
        if row.submission.state in HELD_BACK_SHOWN:  # why: the binding that holds it back
            koski = f"{koski}: {text(f'why.{row.submission.attention or row.binding}')}"
    elif row.binding == PENDING_BINDING:
        koski_state, koski = "pending", text("binding.pending")
    elif row.binding == NO_RESULT:  # a consent, and the trainer has yet to assess them
        koski_state, koski = NO_RESULT, text("why.no_result")
    else:
        koski_state, koski = "not_eligible", text(f"why.{row.binding}")
        if row.binding == WAITING_FOR_END and row.result:  # the day it goes out
            koski = f"{koski} {row.result.ended_on or end_date:%-d.%-m.%Y}"
    return ShownRow(row, consent_label, koski, koski_state)


@bp.post(f"/submissions/<{ROW_ID}:submission_id>/retry")
def retry(submission_id: int) -> ResponseReturnValue:
    """Send a parked or failed submission again."""
    require(Role.STAFF)
    staff_actions.retry(deps().staff, submission_id, actor())
    flash("retried")
    return redirect(back())


@bp.post(f"/submissions/<{ROW_ID}:submission_id>/send-again")
def send_again(submission_id: int) -> ResponseReturnValue:
    """Send an invalidated record anew, as it stands now."""
    require(Role.STAFF)
    staff_actions.send_again(deps().staff, submission_id, actor())
    flash("sent_again")
    return redirect(back())


@bp.route(f"/submissions/<{ROW_ID}:submission_id>/invalidate", methods=["GET", "POST"])
def invalidate(submission_id: int) -> ResponseReturnValue:
    """Mitätöinti, after a confirmation page that asks why."""
    require(Role.STAFF)
    if request.method == "GET":
        return _invalidate_form(submission_id, None)
    chosen = request.form.get("reason", "")
    try:
        state = staff_actions.invalidate(deps().staff, submission_id, actor(), chosen)
    except UnknownInvalidationReason:  # none chosen: the form again, asking for one
        return _invalidate_form(submission_id, text("need_reason")), 400
    log.info("submission.invalidate submission_id=%s state=%s", submission_id, state.value)
    flash("invalidated" if state is SubmissionState.INVALIDATED else "invalidate_failed")
    return redirect(back())


def _invalidate_form(submission_id: int, problem: str | None) -> str:
    return render_template(
        "invalidate.html",
        submission_id=submission_id,
        reasons=grading.INVALIDATION_REASONS,
        back=back(),
        problem=problem,
    )


@bp.route(f"/consents/<{ROW_ID}:consent_id>/revoke", methods=["GET", "POST"])
def revoke(consent_id: int) -> ResponseReturnValue:
    """Register a revocation OPH told of, with the day they told; confirmed on its own page."""
    require(Role.STAFF)
    today = deps().clock().date()
    notified = _past_date(request.form.get("notified_on", ""), today)
    if request.method == "GET" or notified is None:
        problem = text("need_date") if request.method == "POST" else None
        return render_template(
            "revoke.html",
            consent_id=consent_id,
            back=back(),
            problem=problem,
            today=today.isoformat(),
        ), 400 if problem else 200
    staff_actions.revoke(deps().staff, consent_id, actor(), notified)
    flash("revoked")
    return redirect(back())


def _past_date(value: str, today: dt.date) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if day <= today else None
