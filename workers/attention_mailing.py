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
from consent.attention_mail import WEEKLY, AttentionCounts, Delivered, week_of
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
    the server took, or None if nothing was sent by this worker now."""
    mail = deps.settings.mail
    now = deps.clock()
    week = week_of(now, mail.weekday, mail.hour)
    if not mail.enabled or now < week.due_from:
        return None
    holder, claim = f"mail-{uuid.uuid4().hex}", deps.attention_mail_claim(week.name)
    if not claim.take(holder, WEEK):
        return None
    rest_of_week = max(1, int((week.due_from + dt.timedelta(weeks=1) - now).total_seconds()))
    if deps.attention_mail.mailed_since(week.due_from):
        claim.keep(holder, rest_of_week)
        return None
    try:
        delivered = send_attention_mail(
            read(deps),
            deps.attention_mail,
            deps.mailer,
            mail.staff_link,
            week=week.name,
            actor=WEEKLY,
        )
    except MailUnavailable as error:
        log.warning("attention.mail_failed reason=%s", error.reason)
        deps.counters.count("attention_mails", outcome="failed")
        claim.keep(holder, REST_AFTER_FAILURE)
        return None
    if delivered is None:
        claim.keep(holder, REST_WHEN_NOTHING)
        return None
    count_delivered(deps, delivered)
    log.info("attention.mailed week=%s recipients=%d", week.name, len(delivered.sent))
    claim.keep(holder, rest_of_week)
    return delivered


def count_delivered(deps: Services, delivered: Delivered) -> None:
    """Count the e-mails the server took and those whose address it refused, for /metrics."""
    deps.counters.count_by("attention_mails", len(delivered.sent), outcome="sent")
    if delivered.refused:
        deps.counters.count_by("attention_mails", len(delivered.refused), outcome="refused")
        log.warning("attention.mail_refused accounts=%d", len(delivered.refused))
