"""Staff actions of the signing connector: invite a course's participants (or a minor's
guardian) to sign, and see where each signing stands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from consent.connector import ENROLMENT_COLUMNS, check_enrolment_rows
from consent.enrolment_views import EnrolmentStatus
from consent.errors import ConnectorOff
from consent.import_files import EnrolmentRejected, ImportRejected, read_rows
from consent.staff import Actor
from consent.staff_actions.courses import course
from consent.staff_actions.services import Signing, StaffServices


@dataclass(frozen=True)
class Enrolled:
    """How many an enrolment file enrolled (each is being invited), and how many it named
    that were enrolled before."""

    new: int
    known: int


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
    try:
        rows = check_enrolment_rows(read_rows(content, kind, ENROLMENT_COLUMNS), _today(services))
    except ImportRejected as rejected:
        raise EnrolmentRejected(rejected.errors) from None
    expires = services.clock() + dt.timedelta(days=signing.expiry_days)
    new, known = signing.enrolments.enrol(code[:64], rows, expires, actor.audit_name)
    for enrolment_id in new:
        signing.invite(enrolment_id)
    return Enrolled(len(new), known)


def _today(services: StaffServices) -> dt.date:
    return services.clock().date()
