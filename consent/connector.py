"""The signing connector's use cases: enrol participants, invite the right signer through the
signing service (Visma Sign), learn the outcome by polling, and post it as a consent event to
our own webhook, the one intake path.

Each step records its progress before the next one, so a crash anywhere is resumed by running
the same job again: a document is created once, an invitation made once, and each document
yields its event once (its webhook-id is derived from the document, and the intake stores
every webhook-id forever).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from consent.enrolments import (
    Cancelled,
    Checked,
    DocumentCreated,
    Enrolment,
    EnrolmentRow,
    EnrolmentState,
    EventPosted,
    FormAttached,
    InvitationMade,
    Invited,
    PostDeferred,
    Signed,
)
from consent.errors import InvalidHetu
from consent.hetu import Hetu
from consent.import_files import Columns, ImportRejected, RowError, is_plain_text
from consent.model import Person
from consent.ports import Clock, Enrolments, EventPoster, RenderForm, SigningService

# After an invitation: check after 1, 2, 5, 10, 30 minutes, 1 and 3 hours, then every 6 hours.
CHECK_DELAYS: Final = (60, 120, 300, 600, 1800, 3600, 10800, 21600)
POST_RETRY: Final = dt.timedelta(minutes=1)
# The name the signer sees in Visma Sign's invitation, before opening the form (which is in
# the course's language): in both of Finland's languages, as the connector does not know it.
DOCUMENT_NAME: Final = "Suostumus KOSKI-tallennukseen / Samtycke till registrering i KOSKI"
ACCEPTED: Final = (200, 202)  # stored now, or stored before: either way the intake has it
ENROLMENT_FIELDS: Final = (
    "hetu",
    "first_names",
    "last_name",
    "email",
    "phone",
    "guardian_hetu",
    "guardian_first_names",
    "guardian_last_name",
    "guardian_email",
    "guardian_phone",
)
"""What an enrolment row is read for, in a template's order (a minor's guardian last)."""
# An enrolment CSV needs these in its header; other columns are left out, as they always were.
ENROLMENT_COLUMNS: Final = Columns(
    required=frozenset({"hetu", "first_names", "last_name"}),
    known=frozenset(),
    unknown_allowed=True,
)


def check_enrolment_rows(rows: list[dict[str, Any]], today: dt.date) -> list[EnrolmentRow]:
    """Each row's participant, signer and contact; a minor needs a guardian, an adult none.

    Raises :class:`ImportRejected` with every problem, row by row, as a results file does."""
    checked, errors = [], []
    for number, row in enumerate(rows, start=1):
        try:
            checked.append(_check_row(row, today))
        except _Problem as problem:
            errors.append(RowError(number, problem.field, problem.reason))
    if errors:
        raise ImportRejected(errors)
    return checked


def invite(  # noqa: PLR0917 - the use case and its four collaborators
    enrolment_id: int,
    enrolments: Enrolments,
    service: SigningService,
    render: RenderForm,
    clock: Clock,
    return_url: str,
) -> EnrolmentState:
    """Create the document, attach the form, invite the signer; each step once."""
    e = enrolments.get(enrolment_id)
    if e.state is not EnrolmentState.NEW:
        return e.state
    document, file_added = e.document, e.file_added
    if document is None:
        document = service.create_document(f"{DOCUMENT_NAME}: {e.course_code}")
        enrolments.record(enrolment_id, DocumentCreated(document))
    elif not file_added and service.status(document).files:
        file_added = True  # by a run that crashed before it could record so
        enrolments.record(enrolment_id, FormAttached())
    if not file_added:
        service.add_file(document, render(e))
        enrolments.record(enrolment_id, FormAttached())
    invitation = e.invitation or _invitation_made_before(service, document)
    if invitation is None:
        contact = dict(e.contact)
        invitation = service.invite(document, e.signer.hetu.reveal(), contact)
        enrolments.record(enrolment_id, InvitationMade(invitation))
    url = service.signing_url(invitation, f"{return_url}?document={document}")
    first_check = clock() + dt.timedelta(seconds=CHECK_DELAYS[0])
    enrolments.record(enrolment_id, Invited(invitation, url, first_check))
    return EnrolmentState.INVITED


def check(
    enrolment_id: int,
    enrolments: Enrolments,
    service: SigningService,
    post: EventPoster,
    clock: Clock,
) -> EnrolmentState:
    """Learn the document's outcome from the signing service, then post it once."""
    e = enrolments.get(enrolment_id)
    if e.state is EnrolmentState.INVITED and e.document is not None:
        e = _learn(e, enrolments, service, clock)
    if e.state in (EnrolmentState.SIGNED, EnrolmentState.CANCELLED) and not e.event_posted:
        _post_outcome(e, enrolments, post, clock)
    return e.state


def _learn(
    e: Enrolment, enrolments: Enrolments, service: SigningService, clock: Clock
) -> Enrolment:
    document = e.document or ""
    now = clock()
    status = service.status(document).status
    if status == "signed":
        enrolments.keep_signed_pdf(e.id, service.download(document))
        enrolments.record(e.id, Signed(now))
    elif status in ("cancelled", "deleted"):
        enrolments.record(e.id, Cancelled(now, status))
    elif now >= e.expires_at:
        service.cancel(document)
        enrolments.record(e.id, Cancelled(now, "expired"))
    else:
        delay = CHECK_DELAYS[min(e.checks + 1, len(CHECK_DELAYS) - 1)]
        next_check = min(now + dt.timedelta(seconds=delay), e.expires_at)
        enrolments.record(e.id, Checked(e.checks + 1, next_check))
    return enrolments.get(e.id)


def _post_outcome(e: Enrolment, enrolments: Enrolments, post: EventPoster, clock: Clock) -> None:
    signed = e.state is EnrolmentState.SIGNED
    kind = "signed" if signed else "cancelled"
    at = (e.outcome_at or clock()).strftime("%Y-%m-%dT%H:%M:%SZ")
    data: dict[str, object] = {
        "document_id": e.document,
        "course_code": e.course_code,
        "participant": _member(e.participant),
        "signer": _member(e.signer),
    }
    if signed:
        data["signed_at"] = at
    event: dict[str, object] = {"type": f"consent.{kind}", "timestamp": at, "data": data}
    status = post(event, f"vs_{e.document}_{kind}")
    if status in ACCEPTED:
        enrolments.record(e.id, EventPosted(clock()))
    else:  # the intake is down or refused: the sweeper comes back to it
        enrolments.record(e.id, PostDeferred(clock() + POST_RETRY))


def _invitation_made_before(service: SigningService, document: str) -> str | None:
    """An invitation created by a run that crashed before recording it (one per document)."""
    invitations: dict[str, str] = service.status(document).invitations
    return next(iter(invitations), None)


def _member(person: Person) -> dict[str, str]:
    return {
        "hetu": person.hetu.reveal(),
        "first_names": person.first_names,
        "last_name": person.last_name,
    }


class _Problem(Exception):
    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(field_name)
        self.field, self.reason = field_name, reason


def _check_row(row: Mapping[str, Any], today: dt.date) -> EnrolmentRow:
    participant = _person(row, "", today)
    contact = _contact(row, "")
    minor = participant.hetu.is_minor_on(today)
    has_guardian = bool(str(row.get("guardian_hetu") or "").strip())
    if minor and not has_guardian:
        raise _Problem("guardian_hetu", "is required for a participant under 18")
    if not minor and has_guardian:
        raise _Problem("guardian_hetu", "is only for a participant under 18")
    if not minor:
        return EnrolmentRow(participant, participant, contact)
    guardian = _person(row, "guardian_", today)
    if guardian.hetu == participant.hetu or guardian.hetu.is_minor_on(today):
        raise _Problem("guardian_hetu", "must be another, adult person")
    return EnrolmentRow(participant, guardian, _contact(row, "guardian_"))


def _person(row: Mapping[str, Any], prefix: str, today: dt.date) -> Person:
    raw = str(row.get(f"{prefix}hetu") or "").strip()
    try:
        hetu = Hetu.parse(raw, today=today)
    except InvalidHetu as error:
        raise _Problem(f"{prefix}hetu", error.reason) from None
    names = []
    for name in ("first_names", "last_name"):
        value = str(row.get(f"{prefix}{name}") or "").strip()  # every value is read as text
        if not value or not is_plain_text(value):
            raise _Problem(f"{prefix}{name}", "is required (at most 200 characters)")
        names.append(value)
    return Person(hetu, names[0], names[1])


def _contact(row: Mapping[str, Any], prefix: str) -> dict[str, str]:
    contact = {}
    email = str(row.get(f"{prefix}email") or "").strip()
    if email:
        if "@" not in email or not is_plain_text(email, 254) or any(c.isspace() for c in email):
            raise _Problem(f"{prefix}email", "is not an e-mail address")
        contact["email"] = email
    phone = str(row.get(f"{prefix}phone") or "").strip().replace(" ", "")
    if phone:
        if not (phone.startswith("+") and phone[1:].isdigit() and 8 <= len(phone) <= 16):
            raise _Problem(f"{prefix}phone", "must be in international form, e.g. +358401234567")
        contact["sms"] = phone
    return contact
