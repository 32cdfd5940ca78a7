"""The RQ worker class the ``worker`` process runs: RQ's forking worker, plus job metrics,
a shorter heartbeat so a killed worker's job is recovered within a minute, a task of our
own (the sweeper) in its maintenance loop, work horses forked from a warm parent, and a
scheduler process that stops when the worker dies."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Final

from redis import Redis
from rq import Worker
from rq.defaults import DEFAULT_LOGGING_DATE_FORMAT, DEFAULT_LOGGING_FORMAT
from rq.exceptions import AbandonedJobError
from rq.executions import Execution
from rq.job import Job
from rq.queue import Queue
from rq.registry import StartedJobRegistry
from rq.worker import WorkerStatus

from consent.adapters.counters import RedisCounters
from consent.adapters.logs import log_safe_id
from consent.hetu import redact_hetus
from workers.scheduler import Scheduler

# RQ lets a started job's registry entry live `min(timeout left, monitoring interval) + 60` s
# after each heartbeat, so another worker takes a dead worker's job only after 70 s or more.
# The parent renews it every monitoring interval (10 s here), so 15 s of grace still rides out
# a missed renewal while the job of a killed worker is found abandoned within about 25 s.
HEARTBEAT_GRACE: Final = 15


def job_name(job: Job) -> str:
    """The job function's own name (``bind_consent``): a code, never an argument."""
    return (job.func_name or "unknown").rsplit(".", 1)[-1]


class MeasuredWorker(Worker):
    """Counts every job's outcome and times it, in Redis counters that ``/metrics`` reads.

    ``maintenance_task``, if set, runs in the worker process (never in a work horse) after
    RQ's own maintenance, between jobs, with the worker's connection and name.

    With ``release_connections`` set, the first job of each kind runs in the worker process
    itself, as RQ's ``SimpleWorker`` runs every job, and the connections it opened are then
    released. What that run built stays in the worker's memory for every work horse forked
    after it: above all SQLAlchemy's compiled statements, which a fresh horse would otherwise
    compile again for every job (measured: a binding job took ~38 ms in a horse forked from a
    cold worker, ~20 ms from a warm one).
    """

    maintenance_task: Callable[[Redis, str], object] | None = None
    release_connections: Callable[[], object] | None = None
    # Jobs always run in the worker process, keeping their connections from one to the
    # next (the drain: a short job, many a second in a burst, that a fork would cost more
    # than the binding itself); a work horse forked later forgets, unclosed, what it inherits.
    in_process: frozenset[str] = frozenset()
    forget_connections: Callable[[], object] | None = None
    _warm: frozenset[str] = frozenset()
    _renewal: _Renewal | None = None

    def __init__(self, *args: Any, counters: RedisCounters, **kwargs: Any) -> None:
        """As RQ's worker, counting into ``counters`` (the composition root's); a job whose
        worker died is counted too, by the exception handler this adds. Its name, unless
        given, is letters only (RQ's own is a hex UUID): it is in nearly every line RQ logs."""
        kwargs["name"] = kwargs.get("name") or log_safe_id()
        super().__init__(*args, **kwargs)
        self.counters = counters
        self.push_exc_handler(self.count_abandoned)  # type: ignore[no-untyped-call]  # RQ leaves it unannotated

    def execute_job(self, job: Job, queue: Queue) -> None:
        """In a work horse, unless this is the first job of its kind (see the class)."""
        name = job_name(job)
        kept = name in self.in_process
        if not kept and (self.release_connections is None or name in self._warm):
            super().execute_job(job, queue)
            return
        self._warm |= {name}
        execution = self.prepare_execution(job)
        # Nobody monitors a horse here, so a thread renews the job's heartbeat as the
        # monitoring loop would: a worker killed mid-job is still found within a minute.
        self._renewal = _Renewal(
            lambda: self.maintain_heartbeats(job, execution), self.job_monitoring_interval
        )
        try:
            with self._renewal:
                self.perform_job(job, queue, execution)
            self.set_state(WorkerStatus.IDLE)
        finally:
            self._renewal = None
            if not kept and self.release_connections is not None:
                self.release_connections()
                gc.collect()
                gc.freeze()  # horses need not scan (and so copy) what they inherit

    def main_work_horse(self, job: Job, queue: Queue) -> None:
        """In a work horse just forked: first forget the worker's pooled connections,
        without closing them (the worker goes on using them), then run the job as RQ does."""
        if self.forget_connections is not None:
            self.forget_connections()
        super().main_work_horse(job, queue)

    def _start_scheduler(
        self,
        burst: bool = False,
        logging_level: str | None = "INFO",
        date_format: str = DEFAULT_LOGGING_DATE_FORMAT,
        log_format: str = DEFAULT_LOGGING_FORMAT,
    ) -> None:
        """RQ's own, but with a scheduler that stops when this worker dies
        (:class:`workers.scheduler.Scheduler`)."""
        self.scheduler = Scheduler(
            self.queues,
            connection=self.connection,
            logging_level=logging_level if logging_level is not None else self.log.level,
            date_format=date_format,
            log_format=log_format,
            serializer=self.serializer,
        )
        self.scheduler.acquire_locks()  # type: ignore[no-untyped-call]
        if not self.scheduler.acquired_locks:
            return
        if not burst:
            self.scheduler.start()  # type: ignore[no-untyped-call]
            return
        try:
            self.scheduler.register_birth()
            self.scheduler.enqueue_scheduled_jobs()  # type: ignore[no-untyped-call]
        finally:
            self.scheduler.release_locks()  # type: ignore[no-untyped-call]
            self.scheduler.register_death()

    def handle_execution_ended(self, job: Job, queue: Queue, heartbeat_ttl: int) -> None:
        """The job's function returned: no heartbeat may follow, or its finished execution
        would be written back into the started registry."""
        if self._renewal is not None:
            self._renewal.stop()
        super().handle_execution_ended(job, queue, heartbeat_ttl)

    def run_maintenance_tasks(self) -> None:
        """RQ's maintenance (registries, scheduler), then ours; the heartbeat after both."""
        super().run_maintenance_tasks()  # type: ignore[no-untyped-call]  # RQ leaves it unannotated
        if self.maintenance_task is not None:
            self.maintenance_task(self.connection, self.name)
            self.heartbeat()

    def count_abandoned(
        self,
        job: Job,
        exc_type: type[BaseException] | None,
        _exc_value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        """RQ exception handler: count a job whose worker died, found by registry maintenance.

        Returns None so RQ goes on to its other handlers.
        """
        if exc_type is AbandonedJobError:
            self.counters.count("jobs", job=job_name(job), outcome="abandoned")

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        """As RQ computes it, with :data:`HEARTBEAT_GRACE` in place of its fixed 60 s."""
        interval = float(self.job_monitoring_interval)
        if job.timeout and job.timeout > 0:
            interval = min(job.timeout - working_time, interval)
        return int(interval) + HEARTBEAT_GRACE

    def perform_job(self, job: Job, queue: Queue, execution: Execution) -> bool:
        """Run the job (in a work horse, or here for a first job), then count it as finished
        or failed and time it."""
        started = time.monotonic()
        finished: bool = super().perform_job(job, queue, execution)
        counters = self.counters
        name = job_name(job)
        counters.observe("job_seconds", time.monotonic() - started, job=name)
        counters.count("jobs", job=name, outcome="finished" if finished else "failed")
        return finished

    def handle_job_failure(
        self,
        job: Job,
        queue: Queue,
        started_job_registry: StartedJobRegistry | None = None,
        exc_string: str = "",
        execution: Execution | None = None,
    ) -> None:
        """Record the failure as RQ does, with hetus redacted from the exception text: RQ
        keeps that text in Redis (the job, its result, the failed registry) for the dashboard,
        and a library's error may echo what it was given."""
        super().handle_job_failure(
            job, queue, started_job_registry, redact_hetus(exc_string), execution
        )

    def handle_work_horse_killed(self, job: Job, retpid: int, ret_val: int, rusage: object) -> None:
        """The work horse died mid-job (a signal, the OOM killer): RQ retries or fails it."""
        self.counters.count("jobs", job=job_name(job), outcome="killed")
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)  # type: ignore[no-untyped-call]  # RQ leaves it unannotated


class _Renewal:
    """Calls ``renew`` every ``interval`` seconds in a thread, until stopped."""

    def __init__(self, renew: Callable[[], object], interval: float) -> None:
        self._renew, self._interval = renew, interval
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def __enter__(self) -> _Renewal:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
        self._thread.join()

    def stop(self) -> None:
        """No renewal starts after this returns."""
        with self._lock:
            self._stopped.set()

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            with self._lock:
                if not self._stopped.is_set():
                    self._renew()
