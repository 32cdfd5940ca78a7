"""When reconciliation runs: the sweeper queues a run when records are due, one at a time.

The ledger knows what is due (live records not found in KOSKI for an interval), so nothing
about the schedule lives in Redis but a claim that keeps two runs from overlapping. The
sweeper takes the claim in the name of the job it queues; the job holds it while it runs and
releases it when done, so the next due batch follows a minute later. A run that KOSKI cut
short keeps the claim for a rest; a run that crashed or whose worker was killed, or a Redis
restarted empty, leaves the claim to expire, and the records it did not check are still due.
"""

from __future__ import annotations

import logging
from typing import Final

from consent import reconciliation
from consent.adapters.koski import CONNECT_TIMEOUT
from consent.adapters.queues import reconciliation_job
from consent.config import Settings
from consent.ports import RunClaim, WorkerServices

log = logging.getLogger("vst.worker")

# After a run KOSKI cut short (down, throttling, refusing), wait this long before the next.
RECONCILE_REST: Final = 15 * 60


def run_bound(settings: Settings) -> int:
    """Seconds a run may take at most: every call of a batch at its timeouts, with its pause,
    and a minute more (the job's timeout, and how long its claim lasts)."""
    schedule = settings.reconcile
    per_call = CONNECT_TIMEOUT + settings.koski_timeout + schedule.pause.total_seconds()
    return int(schedule.batch * per_call) + 60


def claim(deps: WorkerServices) -> RunClaim:
    """The claim that keeps two reconciliation runs from overlapping."""
    return deps.reconcile_claim


def queue_reconciliation(deps: WorkerServices) -> int:
    """Queue the next run if records are due and no run is under way; how many it checks."""
    settings = deps.settings
    if not settings.reconcile.enabled:
        return 0
    due = reconciliation.due(deps.record_checks, settings.reconcile, deps.clock)
    if not due:
        return 0
    job_id = reconciliation_job(due)
    if not claim(deps).take(job_id, run_bound(settings)):
        return 0  # a run is under way (or resting): it, or the next, checks these
    try:
        deps.queue.enqueue_reconciliation(due, run_bound(settings))
    except Exception:
        claim(deps).release(job_id)  # no run was queued: the next sweep queues one
        raise
    return len(due)
