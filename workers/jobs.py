"""RQ jobs: thin, importable functions whose only arguments are row ids.

Each takes the services it works with as its last argument; RQ passes none, and the job
then uses those of the worker that runs it (built before the fork, connecting in the work
horse on first use; :func:`use_services`). Each calls one use case. Failures are not
swallowed here (a batch job logs the rows it did first): they reach RQ's retry and failed
registry, while the ledger row records what happened. Results are bound in batches
(:data:`consent.adapters.queues.BIND_BATCH` to a job) and first sent a range of ids to a
job (:data:`consent.adapters.queues.SUBMIT_BATCH`); the rest are one row a job.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Mapping

from rq import get_current_job

from consent import binding, connector, grading, reconciliation
from consent.adapters.koski import CONNECT_TIMEOUT
from consent.adapters.queues import reconciliation_job, submission_range_job
from consent.bootstrap import worker_services
from consent.errors import BindingFailed, SendingFailed
from consent.ports import WorkerServices
from workers import reconciling

log = logging.getLogger("vst.worker")
_WORKER: dict[str, WorkerServices] = {}


def use_services(services: WorkerServices) -> None:
    """Make ``services`` those of the jobs this process runs when given none (the worker
    calls this before it forks, so its work horses inherit them)."""
    _WORKER["services"] = services


def _worker_services() -> WorkerServices:
    """The services set by :func:`use_services`; the environment's worker services if none."""
    if "services" not in _WORKER:
        use_services(worker_services())
    return _WORKER["services"]


def bind_deliveries(services: WorkerServices | None = None) -> dict[str, int]:
    """The drain: bind every waiting delivery, a batch to a transaction, and after each
    batch bind its participants' results again (one enqueue a batch); see
    :func:`consent.binding.bind_deliveries`. The worker runs it in its own process, with
    connections kept from one drain to the next.

    Returns how many deliveries came to each outcome (``signed: valid`` …, ``failed``).
    """
    deps = services or _worker_services()
    run = get_current_job()
    run_id = run.id if run else "bind-deliveries"
    return binding.bind_deliveries(
        deps.ledger,
        deps.queue.binding_run(run_id),
        deps.clock,
        lambda batch: _bound_batch(batch, deps),
        allow_temporary=deps.settings.allow_temporary_hetu,
    )


def _bound_batch(batch: binding.BatchBound, deps: WorkerServices) -> None:
    """Log each delivery of a committed batch, then queue its participants' results (looked
    up for all of them in one statement)."""
    for inbox_id, error in batch.failed:
        log.warning("consent.bind_failed inbox_id=%s error=%s", inbox_id, error)
    participants = set()
    for inbox_id, bound in batch.bound:
        log.info("consent.bound inbox_id=%s outcome=%s", inbox_id, bound.outcome)
        if bound.course_code is not None and bound.participant_id is not None:
            participants.add((bound.course_code, bound.participant_id))
    results = deps.results.results_of_all(participants)
    if results:
        deps.queue.enqueue_result_bindings(results)


def bind_consent(inbox_id: int, services: WorkerServices | None = None) -> str:
    """Bind stored delivery ``inbox_id``, then bind that participant's results again.

    Deliveries are bound by :func:`bind_deliveries` now; this binds one (a job queued by
    an earlier version still runs)."""
    deps = services or _worker_services()
    bound = binding.bind_consent(
        inbox_id, deps.ledger, deps.clock, deps.settings.allow_temporary_hetu
    )
    log.info("consent.bound inbox_id=%s outcome=%s", inbox_id, bound.outcome)
    if bound.course_code is not None and bound.participant_id is not None:
        deps.queue.enqueue_result_bindings(
            deps.results.results_of(bound.course_code, bound.participant_id)
        )
    return bound.outcome


def bind_results(result_ids: list[int], services: WorkerServices | None = None) -> dict[str, int]:
    """Decide for each result whether it may go to KOSKI; queue the submissions of those that may.

    Returns how many results came to each binding (``eligible``, ``no_consent`` …).
    """
    deps = services or _worker_services()
    first_id = result_ids[0] if result_ids else None
    try:
        outcomes = grading.bind_results(
            result_ids, deps.results, deps.queue, deps.settings.koski_source_system
        )
    except BindingFailed as failed:  # the others were bound: say so before RQ retries
        _log_bound(first_id, Counter(failed.done.values()), failed=len(failed.errors))
        raise
    _log_bound(first_id, outcomes)
    return outcomes


def _log_bound(first_id: int | None, outcomes: Mapping[str, int], failed: int = 0) -> None:
    counts = " ".join(f"{name}={count}" for name, count in sorted(outcomes.items()))
    failures = f" failed={failed}" if failed else ""
    log.info("results.bound first_id=%s %s%s", first_id, counts, failures)


def submit_range(
    first_id: int, last_id: int, services: WorkerServices | None = None
) -> dict[str, int]:
    """Send each submission with an id from ``first_id`` to ``last_id`` that waits for its
    first send; schedule a job of its own for any that must wait.

    Returns how many came to each state (``sent``, ``pending`` …).
    """
    deps = services or _worker_services()
    settings = deps.settings
    run = get_current_job()
    # Longer than a KOSKI call may take: by then one in flight is sent, or its job is dead.
    recheck = dt.timedelta(seconds=CONNECT_TIMEOUT + settings.koski_timeout + 25)
    try:
        states = grading.submit_range(
            first_id,
            last_id,
            deps.submissions,
            deps.koski,
            deps.queue,
            deps.clock,
            settings.koski_retry_delays,
            recheck,
            run=run.id if run else submission_range_job(first_id),
            actor=binding.WORKER,
        )
    except SendingFailed as failed:  # the others were sent or judged: say so before RQ retries
        _log_submissions(failed.done)
        raise
    done = {submission_id: state.value for submission_id, state in states.items()}
    _log_submissions(done)
    return dict(Counter(done.values()))


def _log_submissions(states: Mapping[int, str]) -> None:
    for submission_id, state in states.items():
        log.info("submission.%s submission_id=%s", state, submission_id)


def submit(submission_id: int, services: WorkerServices | None = None) -> str:
    """Send submission ``submission_id`` to KOSKI; schedule the next attempt if it must wait."""
    deps = services or _worker_services()
    run = get_current_job()
    sent = grading.submit(
        submission_id,
        deps.submissions,
        deps.koski,
        deps.clock,
        deps.settings.koski_retry_delays,
        actor=binding.WORKER,
        run=run.id if run else None,
    )
    if sent.retry_in is not None:
        deps.queue.enqueue_submission(submission_id, sent.retry_in)
    log.info("submission.%s submission_id=%s", sent.state.value, submission_id)
    return sent.state.value


def reconcile(submission_ids: list[int], services: WorkerServices | None = None) -> dict[str, int]:
    """Check these live records against KOSKI, a pause between calls, while holding the
    reconciliation claim (another run holding it: nothing is done).

    Returns how many came to each check (``found``, ``gone``, ``revoked`` …), each also
    counted for ``/metrics``."""
    deps = services or _worker_services()
    settings = deps.settings
    run = get_current_job()
    run_id = run.id if run else reconciliation_job(submission_ids)
    run_claim, bound = reconciling.claim(deps), reconciling.run_bound(settings)
    if not run_claim.hold(run_id, bound):
        log.info("reconcile.skipped reason=another_run")
        return {}
    pause = settings.reconcile.pause.total_seconds()
    checked = reconciliation.reconcile(
        submission_ids[: settings.reconcile.batch],
        deps.submissions,
        deps.record_checks,
        deps.koski,
        deps.clock,
        lambda: time.sleep(pause),
    )
    outcomes = Counter(check.value for check in checked.values())
    for outcome, count in outcomes.items():
        deps.counters.count_by("reconciliation", count, outcome=outcome)
    if reconciliation.Check.FAILED in checked.values():
        run_claim.keep(run_id, reconciling.RECONCILE_REST)  # KOSKI cut it short: rest first
    else:
        run_claim.release(run_id)
    log.info("reconcile.done %s", " ".join(f"{k}={v}" for k, v in sorted(outcomes.items())))
    return dict(outcomes)


def invite_signer(enrolment_id: int, services: WorkerServices | None = None) -> str:
    """Create enrolment ``enrolment_id``'s signing document and invite its signer."""
    deps = services or _worker_services()
    c, return_url = deps.connector, deps.settings.signing.return_url
    state = connector.invite(
        enrolment_id, deps.enrolments, c.service, c.render, deps.clock, return_url
    )
    log.info("enrolment.%s enrolment_id=%s", state.value, enrolment_id)
    return state.value


def check_signing(enrolment_id: int, services: WorkerServices | None = None) -> str:
    """Learn whether enrolment ``enrolment_id`` was signed; post the outcome once."""
    deps = services or _worker_services()
    c = deps.connector
    state = connector.check(enrolment_id, deps.enrolments, c.service, c.post, deps.clock)
    log.info("enrolment.checked enrolment_id=%s state=%s", enrolment_id, state.value)
    return state.value
