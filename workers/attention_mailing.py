"""When the weekly attention e-mail goes: once an ISO week, from the sweeper, by one worker.

From the configured weekday and hour (Finnish time) on, the first sweep that finds the
attention list not empty mails it; an empty list is looked at again an hour later, so the
week's e-mail goes when something needs doing, and at most once. A claim in the broker for
the week keeps the other workers (and this one's next sweeps) from asking the ledger each
minute; the ledger's record of the week (its audit entry) decides whether it is still due, so
a broker restarted empty never sends a week's e-mail twice. An SMTP server that could not be
reached is logged and counted (``vst_attention_mails_total{outcome="failed"}``) and tried
again a few minutes later; the worker goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import Final

from consent import staff_actions
from consent.attention_mail import WEEKLY, AttentionCounts, Delivered, Week, week_of
from consent.bootstrap import Services, staff_services
from consent.errors import MailUnavailable
from consent.weekly_mail import send_attention_mail

log = logging.getLogger("vst.worker")

WEEK: Final = 7 * 24 * 3600
REST_WHEN_NOTHING: Final = 3600  # an empty list (or no recipient) is looked at hourly
REST_AFTER_FAILURE: Final = 5 * 60  # an SMTP server not reached is tried again this soon

ReadCounts = Callable[[Services], AttentionCounts]


def attention_counts(deps: Services) -> AttentionCounts:
    """The attention list across all courses, as the staff pages show it."""
    return staff_actions.attention_list(staff_services(deps))


def mail_if_due(deps: Services, read: ReadCounts = attention_counts) -> Delivered | None:
    """Send the week's attention e-mail if it is on, due and no other worker is at it; what
    the server took, or None if nothing was sent by this worker now. Whatever else fails
    (the ledger, the list) leaves the claim to the same short rest and reaches the sweeper."""
    mail = deps.settings.mail
    now = deps.clock()
    week = week_of(now, mail.weekday, mail.hour)
    if not mail.enabled or now < week.due_from:
        return None
    holder, claim = f"mail-{uuid.uuid4().hex}", deps.attention_mail_claim(week.name)
    if not claim.take(holder, WEEK):
        return None
    rest_of_week = max(1, int((week.due_from + dt.timedelta(weeks=1) - now).total_seconds()))
    try:
        delivered, rest = _mail_week(deps, week, read, rest_of_week)
    except MailUnavailable as error:
        log.warning("attention.mail_failed reason=%s", error.reason)
        deps.counters.count("attention_mails", outcome="failed")
        delivered, rest = None, REST_AFTER_FAILURE
    except Exception:
        claim.keep(holder, REST_AFTER_FAILURE)
        raise
    claim.keep(holder, rest)
    return delivered


def _mail_week(
    deps: Services, week: Week, read: ReadCounts, rest_of_week: int
) -> tuple[Delivered | None, int]:
    """Mail the week's e-mail unless the ledger says it went: what the server took, and how
    long the claim is to rest (the week's rest once it went, an hour while nothing is due)."""
    if deps.attention_mail.mailed_since(week.due_from):
        return None, rest_of_week
    delivered = send_attention_mail(
        read(deps),
        deps.attention_mail,
        deps.mailer,
        deps.settings.mail.staff_link,
        week=week.name,
        actor=WEEKLY,
    )
    if delivered is None:  # the list empty, or no one to mail: look again in an hour
        return None, REST_WHEN_NOTHING
    count_delivered(deps, delivered)
    log.info("attention.mailed week=%s recipients=%d", week.name, len(delivered.sent))
    return delivered, rest_of_week


def count_delivered(deps: Services, delivered: Delivered) -> None:
    """Count the e-mails the server took and those whose address it refused, for /metrics."""
    deps.counters.count_by("attention_mails", len(delivered.sent), outcome="sent")
    if delivered.refused:
        deps.counters.count_by("attention_mails", len(delivered.refused), outcome="refused")
        log.warning("attention.mail_refused accounts=%d", len(delivered.refused))
