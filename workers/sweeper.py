"""The sweeper: one pass over everything whose job may have vanished, run by the workers.

Jobs can be lost: Redis restarted empty, an enqueue that failed after the row was committed,
a job popped by a worker killed before it started it. The ledger knows what is still due,
so once a minute one worker re-queues it. The pass runs in the worker process itself, from
RQ's maintenance loop, not as a queued job: a queued sweep can be lost the same ways, and
then nothing would schedule the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final

import redis

from consent import binding
from consent.bootstrap import Services
from workers import attention_mailing, purging, reconciling

log = logging.getLogger("vst.worker")

SWEEP_INTERVAL: Final = 60
SWEEP_CLAIM: Final = "vst:sweep:claim"


def sweep(deps: Services) -> dict[str, int]:
    """Queue again every delivery, result, submission and signing step the ledger says is
    due, and the next reconciliation run with KOSKI if records are due for one.

    Returns how many of each were queued (a kind with none is left out).
    """
    counts = binding.sweep_deliveries(deps.ledger, deps.queue, deps.clock)
    results, queue = deps.results, deps.queue
    due: list[tuple[str, list[int], Callable[[list[int]], None]]] = [
        (
            "results",
            [
                *results.unbound_results(),
                *results.stale_bindings(),
                *results.due_waiting(deps.clock().date()),
            ],
            queue.enqueue_result_bindings,
        ),
    ]
    unsent, lost = deps.submissions.due_submissions(deps.clock())
    due += [
        ("submissions", unsent, queue.enqueue_submissions),
        ("submissions_lost", lost, _each(queue.enqueue_submission)),
    ]
    if deps.connector_enabled:
        enrolments = deps.enrolments
        due.append(("invitations", enrolments.to_invite(), _each(queue.enqueue_invitation)))
        checks = enrolments.to_check(deps.clock())
        due.append(("signing_checks", checks, _each(queue.enqueue_signing_check)))
    for name, row_ids, enqueue in due:
        if row_ids:
            enqueue(row_ids)
            counts[name] = counts.get(name, 0) + len(row_ids)
    if to_reconcile := reconciling.queue_reconciliation(deps):
        counts["reconciliation"] = to_reconcile
    log.info("sweep.done %s", " ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    return counts


def _each(enqueue: Callable[[int], None]) -> Callable[[list[int]], None]:
    """Queue one job per row id."""

    def enqueue_all(row_ids: list[int]) -> None:
        for row_id in row_ids:
            enqueue(row_id)

    return enqueue_all


def sweep_if_due(deps: Services, connection: redis.Redis, worker_name: str) -> bool:
    """Run :func:`sweep` if no worker has in the last minute, the retention purge if none
    has in the last day (:mod:`workers.purging`) and the weekly attention e-mail if the
    week's is due (:mod:`workers.attention_mailing`); True if this one swept.

    Called from the worker process between jobs. The claim is a Redis key that expires
    after a minute, so a worker killed mid-pass only delays the next one. Whatever fails
    is logged by type and left to the next pass: the worker itself must go on. The
    connections the pass opened are closed again, so no work horse forked later shares them.
    """
    try:
        if not connection.set(SWEEP_CLAIM, worker_name, nx=True, ex=SWEEP_INTERVAL):
            return False
    except redis.RedisError as error:
        log.warning("sweep.failed error=%s", type(error).__name__)
        return False
    try:
        sweep(deps)
        purging.purge_if_due(deps)  # once a day
        attention_mailing.mail_if_due(deps)  # once a week, if e-mail is on
    except Exception as error:  # noqa: BLE001 - a failed pass must not stop the worker
        log.warning("sweep.failed error=%s", type(error).__name__)
        return False
    finally:
        deps.release_connections()
    return True
