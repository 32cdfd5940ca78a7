"""Staff actions of the signing connector: invite a course's participants (or a minor's
guardian) to sign, at once (the API, the CLI) or checked first and confirmed (the pages), and
see where each signing stands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from consent.connector import ENROLMENT_COLUMNS, check_enrolment_rows
from consent.courses import Course
from consent.enrolment_views import EnrolmentStatus
from consent.enrolments import EnrolmentRow
from consent.errors import ConnectorOff, UploadExpired
from consent.import_files import EnrolmentRejected, ImportRejected, read_rows
from consent.staff import Actor
from consent.staff_actions.courses import course
from consent.staff_actions.services import Signing, StaffServices
from consent.views import ShownParticipant, shown

ENROLMENTS: Final = "enrolments"  # what a held enrolment file is for (pending imports)


@dataclass(frozen=True)
class Enrolled:
    """How many an enrolment file enrolled (each is being invited), and how many it named
    that were enrolled before."""

    new: int
    known: int


@dataclass(frozen=True)
class EnrolmentLine:
    """One checked row of an enrolment file as its preview shows it: masked, who signs, and
    whether the signing service has an address to send the invitation to."""

    row: int
    participant: ShownParticipant
    guardian_signs: bool
    reachable: bool  # an e-mail or phone to invite by; else staff hand the link over


@dataclass(frozen=True)
class EnrolmentPreview:
    """What confirming a checked enrolment file would invite, and the id it is held by."""

    course: Course
    lines: tuple[EnrolmentLine, ...]
    upload_id: str


def signing_for(services: StaffServices, code: str, *, defined_course: bool = True) -> Signing:
    """The signing connector, for a course that exists: :class:`ConnectorOff` when it is
    not configured, else :class:`UnknownCourse` for no such course (unless
    ``defined_course=False``, as the CLI asks, which acts on a course not defined here yet)."""
    if services.signing is None:
        raise ConnectorOff()
    if defined_course:
        course(services, code)
    return services.signing


def enrolments(
    services: StaffServices, code: str, *, defined_course: bool = True
) -> list[EnrolmentStatus]:
    """Where each of the course's participants' signing stands (masked), with the link;
    ``defined_course=False`` as for :func:`signing_for`."""
    signing = signing_for(services, code, defined_course=defined_course)
    return signing.enrolments.course_enrolments(code)


def enrol(
    services: StaffServices,
    code: str,
    content: bytes,
    kind: str,
    actor: Actor,
    *,
    defined_course: bool = True,
) -> Enrolled:
    """Enrol everyone an enrolment file names, or nobody (:class:`EnrolmentRejected` naming
    every problem), and queue the invitations of those new.

    ``defined_course=False`` (the CLI) enrols on a course not defined here yet: the consent
    form then names the course by its code."""
    signing = signing_for(services, code, defined_course=defined_course)
    return _enrol(services, signing, code, _checked(services, content, kind), actor)


def preview_enrolment(
    services: StaffServices, code: str, content: bytes, kind: str, actor: Actor
) -> EnrolmentPreview:
    """Check an enrolment file and hold it (sealed) for the actor, enrolling nobody yet; what
    confirming it would invite. The same refusals as :func:`enrol`."""
    signing_for(services, code)
    checked_course = course(services, code)
    rows = _checked(services, content, kind)
    upload_id = services.pending.hold(code, kind, content, actor.audit_name, ENROLMENTS)
    lines = tuple(
        EnrolmentLine(
            number, shown(row.participant), row.signer != row.participant, bool(row.contact)
        )
        for number, row in enumerate(rows, start=1)
    )
    return EnrolmentPreview(checked_course, lines, upload_id)


def confirm_enrolment(services: StaffServices, code: str, upload_id: str, actor: Actor) -> Enrolled:
    """Enrol everyone in the file the actor checked a moment ago, as :func:`enrol` does.

    :class:`UploadExpired` when it is not held (unknown, another's, a results file, over a
    day old); :class:`EnrolmentRejected` when it no longer passes (a participant turned 18
    since), in which case it is still held."""
    signing = signing_for(services, code)
    held = services.pending.take(upload_id[:36], code, actor.audit_name, ENROLMENTS)
    if held is None:
        raise UploadExpired()
    kind, content = held
    enrolled = _enrol(services, signing, code, _checked(services, content, kind), actor)
    services.pending.forget(upload_id)
    return enrolled


def _checked(services: StaffServices, content: bytes, kind: str) -> list[EnrolmentRow]:
    try:
        raw = read_rows(content, kind, ENROLMENT_COLUMNS, services.sheets)
        return check_enrolment_rows(raw, _today(services))
    except ImportRejected as rejected:
        raise EnrolmentRejected(rejected.errors) from None


def _enrol(
    services: StaffServices, signing: Signing, code: str, rows: list[EnrolmentRow], actor: Actor
) -> Enrolled:
    expires = services.clock() + dt.timedelta(days=signing.expiry_days)
    new, known = signing.enrolments.enrol(code[:64], rows, expires, actor.audit_name)
    for enrolment_id in new:
        signing.invite(enrolment_id)
    return Enrolled(len(new), known)


def _today(services: StaffServices) -> dt.date:
    return services.clock().date()
