"""RQ queues: names, construction, and :class:`consent.ports.JobQueue` over them.

Jobs are named by dotted path (``workers.jobs.bind_deliveries``) so the web side never
imports the worker package; their only arguments are row ids (or the bounds of a range of
ids). Job ids are deterministic and enqueued with ``unique=True``, so a job already waiting
is not doubled. Deliveries are bound by one drain at a time, queued by the request that
finds the binding mark unset (:mod:`consent.adapters.binding_mark`); its job id is random.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from typing import Any, Final

import redis
from redis.client import Pipeline
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from consent.adapters import binding_mark, counters
from consent.ports import BindingRun, Counting

CONSENT_QUEUE: Final = "consent"
SIGNING_QUEUE: Final = "signing"
KOSKI_QUEUE: Final = "koski"

# Workers listen in this order: binding a consent comes before sending to KOSKI.
QUEUES_BY_PRIORITY: Final = (CONSENT_QUEUE, SIGNING_QUEUE, KOSKI_QUEUE)

BIND_CONSENT: Final = "workers.jobs.bind_consent"
BIND_DELIVERIES: Final = "workers.jobs.bind_deliveries"
# Far above the drain's own budget (consent.binding.DRAIN_BUDGET): only a drain stuck in a
# statement is stopped by it.
DRAIN_TIMEOUT: Final = 300
BIND_RESULTS: Final = "workers.jobs.bind_results"
SUBMIT: Final = "workers.jobs.submit"
SUBMIT_RANGE: Final = "workers.jobs.submit_range"
INVITE_SIGNER: Final = "workers.jobs.invite_signer"
CHECK_SIGNING: Final = "workers.jobs.check_signing"
RECONCILE: Final = "workers.jobs.reconcile"
# Results per binding job: one fork and one database connection serve a hundred results,
# where a job each cost more than the binding itself (benchmarks/submissions.py).
BIND_BATCH: Final = 100
# Submission ids per sending job: first sends go out a range of ids to a job, for the same
# reason (a job each left KOSKI a third of the throughput, benchmarks/submissions.py).
# Retries keep a job each.
SUBMIT_BATCH: Final = 20
SUBMIT_TIMEOUT: Final = 120  # above the KOSKI client's 5 s connect + 30 s read, with room

# The first retry is at once: it is what recovers a job whose worker was killed, and a
# scheduled one would wait for the dead worker's scheduler lock to expire (61 s). The rest
# stay within a minute: a job that failed them all is queued again by the sweeper a minute
# later anyway, and a long wait would hold up a whole range of submissions.
BINDING_RETRY: Final = Retry(max=5, interval=[0, 5, 15, 30, 60])
FAILURE_TTL: Final = 30 * 24 * 3600
RESULT_TTL: Final = 24 * 3600
log = logging.getLogger("vst.queue")
_WAITING: Final = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def submission_range(submission_id: int) -> tuple[int, int]:
    """The first and last id of the range of :data:`SUBMIT_BATCH` ids this submission is in."""
    first = submission_id - submission_id % SUBMIT_BATCH
    return first, first + SUBMIT_BATCH - 1


def submission_range_job(first_id: int) -> str:
    """The id of the job that sends the range of submissions starting at ``first_id``."""
    return f"submit-range-{first_id}"


def reconciliation_job(submission_ids: list[int]) -> str:
    """The id of the reconciliation job that checks these records: a digest of the ids (in
    base32, as a results batch's) and the first of them."""
    digest = hashlib.sha256(",".join(map(str, submission_ids)).encode()).digest()
    first = submission_ids[0] if submission_ids else 0
    return f"reconcile-{base64.b32encode(digest)[:16].decode().lower()}-{first}"


def queue(name: str, connection: redis.Redis) -> Queue:
    """An RQ queue with the JSON serializer: job arguments are row ids, never pickles."""
    return Queue(name, connection=connection, serializer=JSONSerializer)


class RqJobQueue:
    """Enqueues the service's jobs on RQ."""

    def __init__(self, connection: redis.Redis) -> None:
        self._connection = connection
        self._consent = queue(CONSENT_QUEUE, connection)
        self._koski = queue(KOSKI_QUEUE, connection)
        self._signing = queue(SIGNING_QUEUE, connection)
        # Whether the last request found another's drain holding the binding mark: in a
        # burst the next one most likely will too, and only looks (a guess; either way right).
        self._mark_was_held = False

    def enqueue_new_binding(self, inbox_id: int, counting: Counting | None = None) -> None:
        """Ask for delivery ``inbox_id``, stored just now, to be bound, and count ``counting``,
        in one round trip.

        The drain binds every waiting delivery, so the id itself is not needed: unless a
        drain holds the binding mark, one is queued (:mod:`consent.adapters.binding_mark`).
        This runs on every webhook request. If the last request found the mark held, this
        one first only looks (building the drain's job costs more than the round trip);
        should the mark be free after all, a second round trip asks for the drain.
        """
        if self._mark_was_held:
            counts = () if counting is None else (counters.command(counting),)
            if binding_mark.look(self._connection, counts):  # counts only if the mark is set
                return
        with self._connection.pipeline(transaction=False) as pipe:
            self._ask_for_drain(pipe)
            if counting is not None:
                counters.add(pipe, counting)
            asked = pipe.execute()[0]
        self._mark_was_held = not asked

    def ensure_drain(self) -> str:
        """Make sure a drain will run: ``waiting`` if the one holding the mark is queued or
        running, else the mark (left by a drain that failed or vanished) is cleared and a
        drain queued (``enqueued``)."""
        holder = binding_mark.holder(self._connection)
        if holder is not None:
            if self._waiting(holder):
                return "waiting"
            binding_mark.release(self._connection, holder)
        with self._connection.pipeline() as pipe:
            self._ask_for_drain(pipe)
            asked = pipe.execute()
        return "enqueued" if asked[0] else "waiting"

    def binding_run(self, run_id: str) -> BindingRun:
        """The binding mark as drain job ``run_id`` holds it; it hands over to a drain
        queued as a request queues one."""
        return binding_mark.RedisBindingRun(self._connection, run_id, self._ask_again)

    def _ask_again(self) -> None:
        with self._connection.pipeline() as pipe:
            self._ask_for_drain(pipe)
            pipe.execute()

    def _ask_for_drain(self, pipe: Pipeline) -> None:
        """Add to ``pipe`` the script that queues a drain unless one holds the mark; the
        drain's job is built by RQ, onto a pipeline never sent, and its commands go to the
        script."""
        job_id = binding_mark.drain_job_id()
        recorder = self._connection.pipeline(transaction=False)
        self._consent.enqueue(
            BIND_DELIVERIES,
            job_id=job_id,
            pipeline=recorder,
            job_timeout=DRAIN_TIMEOUT,
            retry=BINDING_RETRY,
            result_ttl=0,  # one a burst, thousands a day: nothing to keep of a drain done
            failure_ttl=FAILURE_TTL,
        )
        commands = [command for command, _options in recorder.command_stack]
        recorder.reset()
        binding_mark.ask(pipe, job_id, commands)

    def _waiting(self, job_id: str) -> bool:
        """Whether job ``job_id`` is queued (truly), scheduled or running."""
        try:
            job = Job.fetch(job_id, self._connection, serializer=JSONSerializer)
            status = job.get_status()
        except (NoSuchJobError, InvalidJobOperation):
            return False
        return status in _WAITING and not self._lost(job, status)

    def enqueue_result_bindings(self, result_ids: Iterable[int]) -> None:
        """Queue ``bind_results`` for these results, :data:`BIND_BATCH` to a job, on the
        consent queue (binding comes before sending).

        A batch's job id is a digest of all its ids and its first result id, so the same
        results asked for again are not queued twice while their job waits. The digest is
        base32 (letters and 2-7: no 0 or 1, so no month) and comes first, so no id, with
        ``-again`` or not, holds a hetu's shape that log redaction would cut (a hex digest
        after a six-digit row id did, one batch in twenty).
        """
        ids = sorted(set(result_ids))
        for start in range(0, len(ids), BIND_BATCH):
            batch = ids[start : start + BIND_BATCH]
            digest = hashlib.sha256(",".join(map(str, batch)).encode()).digest()
            job_id = f"bind-results-{base64.b32encode(digest)[:16].decode().lower()}-{batch[0]}"
            self._enqueue(self._consent, BIND_RESULTS, (batch,), job_id)

    def enqueue_submissions(self, submission_ids: Iterable[int]) -> None:
        """Queue the first send of these submissions: ``submit_range(first, last)`` for each
        range of :data:`SUBMIT_BATCH` ids they fall in.

        A range's job id is fixed by the range, so a job waiting for it is not doubled, and
        one running gets a follow-up: it sends whatever in its range waits when it runs.
        """
        for first, last in sorted({submission_range(row_id) for row_id in submission_ids}):
            self._enqueue(
                self._koski,
                SUBMIT_RANGE,
                (first, last),
                submission_range_job(first),
                job_timeout=SUBMIT_TIMEOUT * SUBMIT_BATCH,
            )

    def enqueue_submission(self, submission_id: int, delay: dt.timedelta | None = None) -> None:
        """Queue ``submit(submission_id)``, now or after ``delay``; one waiting job per submission.

        This is for retries, scheduled by the job that failed from the ledger's attempt count
        (bounded, then parked), so RQ's own retry is only for crashes.
        """
        job_id = f"submit-{submission_id}"
        self._enqueue(
            self._koski, SUBMIT, (submission_id,), job_id, delay, job_timeout=SUBMIT_TIMEOUT
        )

    def enqueue_reconciliation(self, submission_ids: list[int], timeout: int) -> None:
        """Queue ``reconcile(submission_ids)`` (:func:`reconciliation_job` names it) on the
        KOSKI queue, to run for at most ``timeout`` seconds."""
        job_id = reconciliation_job(submission_ids)
        self._enqueue(self._koski, RECONCILE, (submission_ids,), job_id, job_timeout=timeout)

    def enqueue_invitation(self, enrolment_id: int) -> None:
        """Queue ``invite_signer(enrolment_id)``: the signing document and its invitation."""
        job_id = f"invite-{enrolment_id}"
        self._enqueue(self._signing, INVITE_SIGNER, (enrolment_id,), job_id, job_timeout=120)

    def enqueue_signing_check(self, enrolment_id: int) -> None:
        """Queue ``check_signing(enrolment_id)``: learn the outcome, post it once."""
        job_id = f"check-signing-{enrolment_id}"
        self._enqueue(self._signing, CHECK_SIGNING, (enrolment_id,), job_id, job_timeout=120)

    def _enqueue(
        self,
        rq_queue: Queue,
        function: str,
        args: tuple[int | list[int], ...],
        job_id: str,
        delay: dt.timedelta | None = None,
        **options: Any,
    ) -> None:
        """Queue a job under its deterministic id so that the newest request always runs.

        A job already waiting will read the ledger when it runs, so nothing is added. A job
        that has ended (its id lingers for ``result_ttl``) is replaced. A job running right
        now may have read the ledger before this request: a follow-up (``<id>-again``) runs
        after it, so nothing asked for during a run is lost.
        """
        options |= {"unique": True, "retry": BINDING_RETRY}
        options |= {"result_ttl": RESULT_TTL, "failure_ttl": FAILURE_TTL}
        for candidate in (job_id, f"{job_id}-again"):
            for _ in range(3):  # a job may end or vanish between our calls: look again
                try:
                    if delay is None:
                        rq_queue.enqueue(function, *args, job_id=candidate, **options)
                    else:
                        rq_queue.enqueue_in(delay, function, *args, job_id=candidate, **options)
                    return
                except DuplicateJobError:
                    status = self._replace_ended(candidate)
                if status is JobStatus.STARTED:
                    break  # running: its follow-up next
                if status is not None:
                    return  # waiting: it will run, and read the ledger as it then is
        log.warning("queue.not_queued job_id=%s", job_id)  # the sweeper comes back to it

    def _replace_ended(self, job_id: str) -> JobStatus | None:
        """The status of a waiting or running job; None once an ended job is deleted."""
        try:
            job = Job.fetch(job_id, self._connection, serializer=JSONSerializer)
            status = job.get_status()
        except (NoSuchJobError, InvalidJobOperation):  # expired meanwhile
            return None
        if status in _WAITING and not self._lost(job, status):
            return status
        job.delete()
        return None

    def _lost(self, job: Job, status: JobStatus) -> bool:
        """A job marked queued whose id is in no queue list: a worker listening on several
        queues pops the id with BLPOP and died before starting it, and RQ never looks again."""
        if status is not JobStatus.QUEUED:
            return False
        waiting_in = queue(job.origin, self._connection)
        return all(
            self._connection.lpos(key, job.id) is None
            for key in (waiting_in.key, waiting_in.intermediate_queue_key)
        )
