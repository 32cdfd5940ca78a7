"""The retention purge: delete what has no lasting purpose (:mod:`consent.retention_rules`
says what), or in a dry run count it; and when the sweeper's daily run is due.

A purge leaves one audit entry with its counts per kind, the limit it applied and the
setting; never an id or anything else of what it deleted. A dry run changes nothing at all,
the audit trail included. The audit entries are also the ledger's record of the last run,
so the daily schedule survives a restarted worker or a broker restarted empty.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from consent.model import AuditEntry
from consent.ports import Clock, RetentionStore
from consent.retention_rules import Purged, limits

PURGED: Final = "retention.purged"  # the audit action of a purge
EVERY: Final = dt.timedelta(days=1)  # how often the sweeper runs a purge


def purge(store: RetentionStore, clock: Clock, days: int, actor: str) -> Purged:
    """Delete what has been past its purpose for ``days`` since its course ended, in
    batches; then audit the counts in the name of ``actor``."""
    now = clock()
    line = limits(now, days)
    purged = store.purge(line)
    details = {
        **purged.counts(),
        "retention_days": days,
        "ended_on_or_before": line.ended_on_or_before.isoformat(),
    }
    store.audit(AuditEntry(actor, PURGED, "retention", None, details, occurred_at=now))
    return purged


def dry_run(store: RetentionStore, clock: Clock, days: int) -> Purged:
    """What :func:`purge` would delete now, counted; nothing changes."""
    return store.purgeable(limits(clock(), days))


def due(last_purge: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether the daily purge is due: never run, or last run a day or more ago."""
    return last_purge is None or now - last_purge >= EVERY
