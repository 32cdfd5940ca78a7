"""The staff API's attention list: read it (any role), mark an item seen and retry every
failed or parked submission on it (the staff role). Registered on the staff API's
blueprint; each call is one staff action, as on the pages and in the CLI."""

from __future__ import annotations

import logging

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from consent import staff_actions
from consent.attention import attention_json
from consent.staff import Actor, Role
from consent.strict_json import StrictJsonError, loads_strict
from web.problems import problem
from web.staff_api.views import bp, staff_api, staff_member

log = logging.getLogger("vst.staff_api")


def _forbidden() -> ResponseReturnValue | None:
    if staff_member().role.allows(Role.STAFF):
        return None
    return problem(403, f"This needs the {Role.STAFF.value} role.")


@bp.get("/attention")
def attention() -> ResponseReturnValue:
    """Everything across all courses a person must act on, grouped and counted, masked."""
    return jsonify(attention_json(staff_actions.attention_list(staff_api().staff)))


@bp.post("/attention/seen")
def mark_seen() -> ResponseReturnValue:
    """Mark one listed item seen in its present state, body ``{"key": "…"}``: 200; 404
    when no listed item has that key (it was fixed meanwhile)."""
    if (refused := _forbidden()) is not None:
        return refused
    try:
        body = loads_strict(request.get_data())
    except StrictJsonError as error:
        return problem(400, "The body is not valid.", errors=[_field(str(error))])
    if not isinstance(body, dict) or body.keys() != {"key"} or not isinstance(body["key"], str):
        return problem(400, "The body is not valid.", errors=[_field('must be {"key": "…"}')])
    staff_actions.mark_seen(staff_api().staff, body["key"], Actor.member(staff_member()))
    return jsonify(key=body["key"][:128], seen=True)


@bp.post("/attention/retry")
def retry_all() -> ResponseReturnValue:
    """Send every failed or parked submission on the list again, across all courses,
    audited per record: the ids queued."""
    if (refused := _forbidden()) is not None:
        return refused
    retried = staff_actions.retry_all(staff_api().staff, Actor.member(staff_member()))
    log.info("attention.retry_all by=%s retried=%s", staff_member().name, len(retried))
    return jsonify(retried=retried)


def _field(reason: str) -> dict[str, str]:
    return {"field": "(body)", "reason": reason}
