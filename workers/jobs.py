"""RQ jobs: thin, importable functions whose only arguments are row ids.

Each builds its dependencies in the work horse (nothing connects before the fork) and
calls one use case. Failures are not caught here: they reach RQ's retry and failed
registry, while the ledger row records what happened.
"""

from __future__ import annotations

import logging

from consent import grading, services
from workers.bootstrap import dependencies

log = logging.getLogger("vst.worker")


def bind_consent(inbox_id: int) -> str:
    """Bind stored delivery ``inbox_id``, then bind that participant's results again."""
    deps = dependencies()
    bound = services.bind_consent(
        inbox_id, deps.ledger, deps.clock, deps.settings.allow_temporary_hetu
    )
    log.info("consent.bound inbox_id=%s outcome=%s", inbox_id, bound.outcome)
    if bound.course_code is not None and bound.participant_id is not None:
        for result_id in deps.grading.results_of(bound.course_code, bound.participant_id):
            deps.queue.enqueue_result_binding(result_id)
    return bound.outcome


def bind_result(result_id: int) -> str:
    """Decide whether result ``result_id`` may go to KOSKI; queue its submission if so."""
    deps = dependencies()
    binding = grading.bind_result(
        result_id, deps.grading, deps.queue, deps.settings.koski_source_system
    )
    log.info("result.bound result_id=%s binding=%s", result_id, binding)
    return binding


def submit(submission_id: int) -> str:
    """Send submission ``submission_id`` to KOSKI; schedule the next attempt if it must wait."""
    deps = dependencies()
    sent = grading.submit(
        submission_id, deps.grading, deps.koski, deps.clock, deps.settings.koski_retry_delays
    )
    if sent.retry_in is not None:
        deps.queue.enqueue_submission(submission_id, sent.retry_in)
    log.info("submission.%s submission_id=%s", sent.state.value, submission_id)
    return sent.state.value


def sweep() -> dict[str, int]:
    """Re-queue work whose job vanished; schedules the next sweep first."""
    deps = dependencies()
    deps.queue.schedule_sweep(deps.clock())
    counts = services.sweep_deliveries(deps.ledger, deps.queue, deps.clock)
    for result_id in deps.grading.unbound_results():
        deps.queue.enqueue_result_binding(result_id)
        counts["results"] = counts.get("results", 0) + 1
    for submission_id in deps.grading.due_submissions(deps.clock()):
        deps.queue.enqueue_submission(submission_id)
        counts["submissions"] = counts.get("submissions", 0) + 1
    log.info("sweep.done %s", " ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    return counts
