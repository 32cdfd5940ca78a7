"""The worker process: an RQ worker on every queue, with its scheduler and the sweeper."""

from __future__ import annotations

import logging

from rq.serializers import JSONSerializer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import configure_mappers

from consent.adapters.logs import configure_logging
from consent.adapters.queues import QUEUES_BY_PRIORITY, queue
from consent.bootstrap import Services, worker_services
from consent.config import Settings
from workers import jobs
from workers.measured_worker import MeasuredWorker
from workers.sweeper import sweep_if_due

log = logging.getLogger("vst.worker")

# A killed worker's job is found abandoned and run again within a minute (RQ's abandoned
# job handling): its registry entry expires 25 s after the last heartbeat (see
# MeasuredWorker), and an idle worker wakes every WORKER_TTL - 15 = 20 s to run maintenance
# (and the sweeper), due every 15 s.
WORKER_TTL = 35
MAINTENANCE_INTERVAL = 15
JOB_MONITORING_INTERVAL = 10


def build_worker(
    settings: Settings | None = None, *, services: Services | None = None
) -> MeasuredWorker:
    """An RQ worker on every queue, highest priority first, whose jobs use ``services``
    (by default the worker's own, built from ``settings``).

    The job module and the services are loaded here, before any fork, so each work horse
    starts with them in memory (imports are most of a short job's cost). No connection is
    opened here: every horse opens its own.
    """
    services = services or worker_services(settings)
    configure_mappers()  # once here, not in every horse
    jobs.use_services(services)
    _warm_up(services.engine)
    connection = services.broker
    worker = MeasuredWorker(
        [queue(name, connection) for name in QUEUES_BY_PRIORITY],
        connection=connection,
        serializer=JSONSerializer,
        counters=services.counters,
        worker_ttl=WORKER_TTL,
        maintenance_interval=MAINTENANCE_INTERVAL,
        job_monitoring_interval=JOB_MONITORING_INTERVAL,
    )
    worker.maintenance_task = lambda broker, name: sweep_if_due(services, broker, name)
    worker.release_connections = services.release_connections
    worker.in_process = frozenset({"bind_deliveries"})
    worker.forget_connections = lambda: _forget(services)
    return worker


def _forget(services: Services) -> None:
    """Drop the database pools a work horse inherited, closing nothing (SQLAlchemy's way
    for a forked child): its first statement opens a connection of its own."""
    services.engine.dispose(close=False)
    services.intake_engine.dispose(close=False)


def _warm_up(engine: Engine) -> None:
    """Connect once so the dialect is initialised in the parent, then close every connection.

    Work horses then open plain connections instead of repeating the dialect's start-up
    queries on every job. A database that is down now only means the horses do it later.
    """
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as error:
        log.warning("worker.warm_up_failed error=%s", type(error).__name__)
    engine.dispose()


def run_worker() -> None:
    """Run the worker with its scheduler until SIGTERM (which lets the current job finish).

    Between jobs, one of the running workers sweeps each minute (:mod:`workers.sweeper`).
    """
    services = worker_services()
    configure_logging(counts=services.counters)
    build_worker(services=services).work(with_scheduler=True)
