"""Staff actions on one KOSKI record or consent: retry, invalidate, send again after an
invalidation, register a revocation."""

from __future__ import annotations

import datetime as dt
from typing import Final

from consent import grading
from consent.errors import NothingToRetry, NotInvalidated
from consent.model import SubmissionState
from consent.staff import Actor
from consent.staff_actions.courses import course
from consent.staff_actions.services import StaffServices

STAFF_SOURCE: Final = "staff"  # a revocation OPH told the organiser of, registered by staff


def retry(services: StaffServices, submission_id: int, actor: Actor) -> None:
    """Send a parked or failed submission again ("retry" on the pages), with a fresh count
    of attempts; :class:`NothingToRetry` for one in any other state, :class:`NotFound`
    for none."""
    if not grading.retry(submission_id, services.submissions, services.jobs, actor.audit_name):
        raise NothingToRetry(submission_id)


def retry_course(services: StaffServices, code: str, actor: Actor) -> list[int]:
    """Send every parked or failed submission of the course again, each as :func:`retry`
    does (audited one by one in the actor's name); the ids of those retried.
    :class:`UnknownCourse` for no such course."""
    course(services, code)
    return [
        submission_id
        for submission_id in services.courses.retryable_submissions(code)
        if grading.retry(submission_id, services.submissions, services.jobs, actor.audit_name)
    ]


def send_again(services: StaffServices, submission_id: int, actor: Actor) -> None:
    """Send an invalidated record anew, as it stands now, audited in the actor's name: KOSKI
    creates a new record under the same lähdejärjestelmänId (allowed after a mitätöinti,
    never after a revocation). :class:`NotInvalidated` for one in any other state,
    :class:`NotFound` for none."""
    invalidated = frozenset({SubmissionState.INVALIDATED})
    if not grading.send_anew(
        submission_id,
        services.submissions,
        services.jobs,
        actor.audit_name,
        invalidated,
        "submission.send_again",
    ):
        raise NotInvalidated(submission_id)


def invalidate(
    services: StaffServices, submission_id: int, actor: Actor, reason: str | None = None
) -> SubmissionState:
    """Mitätöinti of a record sent by mistake, audited with the actor and ``reason`` (one
    of :data:`consent.grading.INVALIDATION_REASONS`); the state it came to (``invalidated``
    unless KOSKI refused).

    :class:`UnknownInvalidationReason` for another reason, before anything is read;
    :class:`NotInvalidatable` for a record that never reached KOSKI, changing nothing."""
    return grading.invalidate(
        submission_id,
        services.submissions,
        services.koski,
        services.clock,
        actor=actor.audit_name,
        reason=reason,
    )


def revoke(
    services: StaffServices,
    consent_id: int,
    actor: Actor,
    notified_on: dt.date | None = None,
) -> list[int]:
    """Register a revocation OPH told of (on ``notified_on``, when staff say): the consent is
    kept, and nothing under it is ever sent again. The ids of the submissions stopped."""
    return services.submissions.revoke(consent_id, actor.audit_name, STAFF_SOURCE, notified_on)
