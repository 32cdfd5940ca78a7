"""When the retention purge runs: once a day, from the sweeper, by one worker.

A claim in the broker, taken for a day, lets one worker run it and keeps the others from
asking the ledger each minute; the ledger's record of the last purge (its audit entry)
decides whether it is due, so a broker restarted empty, or a worker restarted, never makes
it run twice in a day. A purge that failed leaves the claim to a short rest before the next
try; a worker killed mid-purge leaves it for the day, and what it did not reach goes the next.
"""

from __future__ import annotations

import logging
import uuid
from typing import Final

from consent import retention
from consent.bootstrap import Services
from consent.retention_rules import Purged

log = logging.getLogger("vst.worker")

SWEEPER: Final = "sweeper"  # the audit's actor of the daily purge
DAY: Final = int(retention.EVERY.total_seconds())
REST_AFTER_FAILURE: Final = 15 * 60


def purge_if_due(deps: Services) -> Purged | None:
    """Run the day's purge if it is due and no other worker is running it; its counts, or
    None if it was not this worker's to run."""
    holder = f"retention-{uuid.uuid4().hex}"
    claim = deps.retention_claim
    if not claim.take(holder, DAY):
        return None
    now = deps.clock()
    last = deps.retention.last_purge()
    if last is not None and not retention.due(last, now):
        claim.keep(holder, max(1, int((last + retention.EVERY - now).total_seconds())))
        return None
    try:
        purged = retention.purge(deps.retention, deps.clock, deps.settings.retention_days, SWEEPER)
    except Exception:
        claim.keep(holder, REST_AFTER_FAILURE)
        raise
    log.info("retention.purged %s", " ".join(f"{k}={v}" for k, v in purged.counts().items()))
    return purged
