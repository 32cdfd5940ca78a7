"""The front page: the attention list across all courses, marking an item seen, and retrying
every failed or parked record (of the list, or of one course) after a confirmation that
shows how many."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request
from flask.typing import ResponseReturnValue

from consent import staff_actions
from consent.attention import AttentionItem, Kind
from consent.errors import NotFound
from consent.staff import Role
from web.routes import COURSE_CODE
from web.staff_pages.blueprint import actor, bp, deps, require
from web.staff_pages.texts import FI, reason, text

HOME = "/staff/"


@bp.get("/")
def home() -> ResponseReturnValue:
    """The pages start at the attention list; the course list is in the navigation."""
    listed = staff_actions.attention_list(deps().staff)
    return render_template(
        "attention.html", listed=listed, what=what, waited=waited, retryable=len(listed.retryable())
    )


@bp.post("/attention/seen")
def mark_seen() -> ResponseReturnValue:
    """Mark one item seen by the logged-in member; it stays listed until it is fixed."""
    require(Role.STAFF)
    try:
        staff_actions.mark_seen(deps().staff, request.form.get("key", "")[:128], actor())
    except NotFound:
        flash(text("attention.gone_meanwhile"))
        return redirect(HOME)
    flash(text("attention.marked"))
    return redirect(HOME)


@bp.route("/attention/retry", methods=["GET", "POST"])
def retry_all() -> ResponseReturnValue:
    """Every failed or parked record on the list, sent again once staff confirm the count."""
    require(Role.STAFF)
    count = staff_actions.retry_count(deps().staff)
    if request.method == "GET":
        return _confirm(count, "/staff/attention/retry", HOME)
    if request.form.get("count") != str(count):
        return _confirm(count, "/staff/attention/retry", HOME, changed=True), 409
    retried = staff_actions.retry_all(deps().staff, actor())
    flash(text("retried_count").format(count=len(retried)))
    return redirect(HOME)


@bp.route(f"/courses/<{COURSE_CODE}:code>/retry", methods=["GET", "POST"])
def retry_course(code: str) -> ResponseReturnValue:
    """Every failed or parked record of one course, sent again once staff confirm the count."""
    require(Role.STAFF)
    count = staff_actions.retry_count(deps().staff, code)
    action, back = f"/staff/courses/{code}/retry", f"/staff/courses/{code}"
    if request.method == "GET":
        return _confirm(count, action, back)
    if request.form.get("count") != str(count):
        return _confirm(count, action, back, changed=True), 409
    retried = staff_actions.retry_course(deps().staff, code, actor())
    flash(text("retried_count").format(count=len(retried)))
    return redirect(back)


def _confirm(count: int, action: str, back: str, *, changed: bool = False) -> str:
    return render_template(
        "retry_confirm.html", count=count, action=action, back=back, changed=changed
    )


def what(item: AttentionItem) -> list[str]:
    """What an item is about, in the page's words: KOSKI's keys where the pages know them
    (else the key itself), why a record is held back, a rejection's reason, an upload's
    purpose, how many records a counted item stands for."""
    if item.kind is Kind.FAILED:
        words = [_koski_key(key) for key in item.codes]
    elif item.kind is Kind.UNSUPPORTED:
        words = [text(f"why.{code}") for code in item.codes]
    elif item.kind is Kind.REJECTED_CONSENT:
        words = [reason(code) for code in item.codes]
    elif item.kind is Kind.UNCONFIRMED_IMPORT:
        words = [text(f"attention.purpose.{code}") for code in item.codes]
    else:
        words = []
    if item.records > 1 or item.kind in {Kind.UNKNOWN_COURSE, Kind.WAITING_FOR_END}:
        words.append(text("attention.records").format(n=item.records))
    return words


def _koski_key(key: str) -> str:
    label = f"koski_key.{key}"
    return f"{text(label)} ({key})" if label in FI else key


def waited(waiting: dt.timedelta) -> str:
    """How long an item has waited: whole days, or hours under a day."""
    if waiting.days:
        return text("attention.days").format(n=waiting.days)
    return text("attention.hours").format(n=waiting.seconds // 3600)
