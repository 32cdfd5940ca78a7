"""Staff actions on the attention list: read it, mark an item seen, retry every failed or
parked submission on it in one go."""

from __future__ import annotations

from consent import attention, grading
from consent.attention import AttentionList
from consent.errors import NotFound
from consent.model import AuditEntry
from consent.staff import Actor
from consent.staff_actions.courses import course
from consent.staff_actions.services import StaffServices


def attention_list(services: StaffServices) -> AttentionList:
    """Everything across all courses a person must act on, grouped and counted, each item
    with how long it has waited, where it is fixed and whether it was marked seen in its
    present state. Reading changes nothing, so it takes no actor."""
    found = services.attention.attention_found()
    return attention.attention_list(found, services.attention.seen_marks(), services.clock())


def mark_seen(services: StaffServices, key: str, actor: Actor) -> None:
    """Mark the listed item ``key`` seen by the actor, in its present state (audited): it
    stays listed, shown as seen, until it is fixed or its state changes.
    :class:`NotFound` when no listed item has that key (fixed meanwhile, or never was)."""
    item = attention_list(services).item(key[:128])
    if item is None:
        raise NotFound("no such item on the attention list")
    details = {"key": item.key, "kind": item.kind.value}
    entry = AuditEntry(actor.audit_name, "attention.seen", "attention", None, details)
    services.attention.mark_seen(item.key, item.fingerprint, entry)


def retry_all(services: StaffServices, actor: Actor) -> list[int]:
    """Send every failed or parked submission on the list again, across all courses, each
    as :func:`consent.staff_actions.retry` does (audited one by one in the actor's name);
    the ids of those retried (one that left its state meanwhile is passed over)."""
    return [
        submission_id
        for submission_id in attention_list(services).retryable()
        if grading.retry(submission_id, services.submissions, services.jobs, actor.audit_name)
    ]


def retry_count(services: StaffServices, code: str | None = None) -> int:
    """How many submissions "retry all" would send again now: the course's parked or failed
    ones (``code``), else every one on the list; what a confirmation shows before it acts.
    :class:`UnknownCourse` for no such course."""
    if code is None:
        return len(attention_list(services).retryable())
    course(services, code)
    return len(services.courses.retryable_submissions(code))
