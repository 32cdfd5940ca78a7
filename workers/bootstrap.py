"""The worker process's composition root: settings, adapters, and the RQ worker itself."""

from __future__ import annotations

from rq import Worker
from rq.serializers import JSONSerializer

from consent.adapters.broker import broker_url, connect
from consent.adapters.queues import QUEUES_BY_PRIORITY, queue
from consent.config import Settings

# Abandoned jobs of a killed worker are found within about a minute (reference/rq.md §7.5).
WORKER_TTL = 60
MAINTENANCE_INTERVAL = 30
JOB_MONITORING_INTERVAL = 10


def build_worker(settings: Settings | None = None) -> Worker:
    """An RQ worker on every queue, highest priority first."""
    settings = settings or Settings.from_env()
    connection = connect(broker_url(settings))
    return Worker(
        [queue(name, connection) for name in QUEUES_BY_PRIORITY],
        connection=connection,
        serializer=JSONSerializer,
        worker_ttl=WORKER_TTL,
        maintenance_interval=MAINTENANCE_INTERVAL,
        job_monitoring_interval=JOB_MONITORING_INTERVAL,
    )


def run_worker() -> None:
    """Run the worker with its scheduler until SIGTERM (which lets the current job finish)."""
    build_worker().work(with_scheduler=True)
