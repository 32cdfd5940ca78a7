"""The RQ worker class the ``worker`` process runs: RQ's forking worker, plus job metrics,
a shorter heartbeat so a killed worker's job is recovered within a minute, and a task of
our own (the sweeper) in its maintenance loop."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Final

from redis import Redis
from rq import Worker
from rq.exceptions import AbandonedJobError
from rq.executions import Execution
from rq.job import Job
from rq.queue import Queue

from consent.adapters.counters import RedisCounters

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
    """

    maintenance_task: Callable[[Redis, str], object] | None = None

    def run_maintenance_tasks(self) -> None:
        """RQ's maintenance (registries, scheduler), then ours; the heartbeat after both."""
        super().run_maintenance_tasks()  # type: ignore[no-untyped-call]  # RQ leaves it unannotated
        if self.maintenance_task is not None:
            self.maintenance_task(self.connection, self.name)
            self.heartbeat()

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        """As RQ computes it, with :data:`HEARTBEAT_GRACE` in place of its fixed 60 s."""
        interval = float(self.job_monitoring_interval)
        if job.timeout and job.timeout > 0:
            interval = min(job.timeout - working_time, interval)
        return int(interval) + HEARTBEAT_GRACE

    def perform_job(self, job: Job, queue: Queue, execution: Execution) -> bool:
        """Run the job in this work horse, then count it as finished or failed and time it."""
        started = time.monotonic()
        finished: bool = super().perform_job(job, queue, execution)
        counters = RedisCounters(self.connection)
        name = job_name(job)
        counters.observe("job_seconds", time.monotonic() - started, job=name)
        counters.count("jobs", job=name, outcome="finished" if finished else "failed")
        return finished

    def handle_work_horse_killed(self, job: Job, retpid: int, ret_val: int, rusage: object) -> None:
        """The work horse died mid-job (a signal, the OOM killer): RQ retries or fails it."""
        RedisCounters(self.connection).count("jobs", job=job_name(job), outcome="killed")
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)  # type: ignore[no-untyped-call]  # RQ leaves it unannotated


def count_abandoned(
    job: Job,
    exc_type: type[BaseException] | None,
    _exc_value: BaseException | None,
    _traceback: TracebackType | None,
) -> None:
    """RQ exception handler: count a job whose worker died, found by registry maintenance.

    Returns None so RQ goes on to its other handlers.
    """
    if exc_type is AbandonedJobError:
        RedisCounters(job.connection).count("jobs", job=job_name(job), outcome="abandoned")
