"""The worker process's composition root: settings, adapters, and the RQ worker itself."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import requests
from rq.serializers import JSONSerializer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import configure_mappers

from consent.adapters import webhook_sender
from consent.adapters.broker import broker_url, connect
from consent.adapters.consent_form import ConsentForm
from consent.adapters.counters import RedisCounters
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.koski import CONNECT_TIMEOUT, HttpKoski
from consent.adapters.logs import configure_logging
from consent.adapters.onnistuu import OnnistuuKey
from consent.adapters.queues import QUEUES_BY_PRIORITY, RqJobQueue, queue
from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.enrolments import SqlEnrolments
from consent.adapters.sql.grading import SqlGrading
from consent.adapters.sql.ledger import SqlLedger, utc_now
from consent.adapters.vismasign import HttpVismaSign
from consent.adapters.webhook_sender import Signer
from consent.config import Settings
from consent.connector import Enrolment
from consent.errors import ConfigurationError
from consent.koski_answers import KoskiAnswer
from workers.measured_worker import MeasuredWorker, count_abandoned
from workers.sweeper import sweep_if_due

log = logging.getLogger("vst.worker")

# A killed worker's job is found abandoned and run again within a minute (reference/rq.md §1.7):
# its registry entry expires 25 s after the last heartbeat (see MeasuredWorker), and an idle
# worker wakes every WORKER_TTL - 15 = 20 s to run maintenance (and the sweeper), due every 15 s.
WORKER_TTL = 35
MAINTENANCE_INTERVAL = 15
JOB_MONITORING_INTERVAL = 10


@dataclass(frozen=True)
class Dependencies:
    """What jobs need, built once per work horse."""

    settings: Settings
    ledger_engine: Engine
    ledger: SqlLedger
    grading: SqlGrading
    koski: HttpKoski
    queue: RqJobQueue
    clock: Callable[[], dt.datetime]
    connector: Connector

    def release_connections(self) -> None:
        """Close every database and HTTP connection held: a process about to fork must not
        hand one socket to several children."""
        self.ledger_engine.dispose()
        self.koski.close()
        self.connector.service.close()


@cache
def dependencies() -> Dependencies:
    """Build the job dependencies on first use, inside the process that runs the job."""
    settings = Settings.from_env()
    # No pool in a worker outlives a job: horses start without connections, and the worker
    # process disposes its pool after each job it runs itself and after each sweep. A
    # pre-ping would only add a round trip to every transaction.
    engine = make_engine(settings.database_url, pool_pre_ping=False)
    cipher = AesGcmCipher(settings.pii_keys)
    broker = connect(broker_url(settings))
    counters = RedisCounters(broker)
    koski = HttpKoski(
        settings.koski_url,
        settings.koski_username,
        settings.koski_password,
        settings.koski_caller_id,
        on_answer=lambda answer: _count_answer(counters, answer),
        timeout=(CONNECT_TIMEOUT, settings.koski_timeout),
    )
    grading = SqlGrading(engine, cipher, utc_now)
    return Dependencies(
        settings=settings,
        ledger_engine=engine,
        ledger=SqlLedger(engine, cipher),
        grading=grading,
        koski=koski,
        queue=RqJobQueue(broker),
        clock=utc_now,
        connector=_connector(settings, engine, cipher, grading),
    )


@dataclass(frozen=True)
class Connector:
    """The signing connector's adapters (the worker runs its jobs)."""

    enrolments: SqlEnrolments
    service: HttpVismaSign
    render: Callable[[Enrolment], bytes]
    post: Callable[[dict[str, object], str], int | None]


def _connector(
    settings: Settings, engine: Engine, cipher: AesGcmCipher, grading: SqlGrading
) -> Connector:
    signing = settings.signing
    form = ConsentForm(signing.organiser, signing.consent_template)

    def render(enrolment: Enrolment) -> bytes:
        course = grading.find_course(enrolment.course_code)
        return form(enrolment, course.name["fi"] if course else enrolment.course_code)

    def post(event: dict[str, object], webhook_id: str) -> int | None:
        if not signing.connector_key:
            raise ConfigurationError("SIGNING_CONNECTOR_KEY is not set: the connector is off")
        signer = Signer.parse(signing.connector_key)
        try:
            return webhook_sender.post(
                signing.webhook_url, event, [signer], timeout=30, webhook_id=webhook_id
            ).status_code
        except requests.RequestException as error:
            log.warning("connector.post_failed error=%s", type(error).__name__)
            return None

    key = OnnistuuKey.parse(signing.vismasign_client_id, signing.vismasign_secret)
    return Connector(
        enrolments=SqlEnrolments(engine, cipher, utc_now),
        service=HttpVismaSign(signing.vismasign_url, key, utc_now),
        render=render,
        post=post,
    )


def _count_answer(counters: RedisCounters, answer: KoskiAnswer) -> None:
    """KOSKI answers by status and first error key, for ``/metrics``."""
    body = answer.body if isinstance(answer.body, list) else []
    keys = [str(e.get("key")) for e in body if isinstance(e, dict)]
    status = "none" if answer.status is None else str(answer.status)
    counters.count("koski", status=status, key=keys[0] if keys else "")


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


def build_worker(settings: Settings | None = None) -> MeasuredWorker:
    """An RQ worker on every queue, highest priority first.

    The job module and the job dependencies are loaded here, before any fork, so each
    work horse starts with them in memory (imports are most of a short job's cost). No
    connection is opened here: every horse opens its own.
    """
    settings = settings or Settings.from_env()
    importlib.import_module("workers.jobs")
    configure_mappers()  # once here, not in every horse
    _warm_up(dependencies().ledger_engine)
    connection = connect(broker_url(settings))
    worker = MeasuredWorker(
        [queue(name, connection) for name in QUEUES_BY_PRIORITY],
        connection=connection,
        serializer=JSONSerializer,
        exception_handlers=[count_abandoned],
        worker_ttl=WORKER_TTL,
        maintenance_interval=MAINTENANCE_INTERVAL,
        job_monitoring_interval=JOB_MONITORING_INTERVAL,
    )
    worker.maintenance_task = lambda broker, name: sweep_if_due(dependencies(), broker, name)
    worker.release_connections = lambda: dependencies().release_connections()
    return worker


def run_worker() -> None:
    """Run the worker with its scheduler until SIGTERM (which lets the current job finish).

    Between jobs, one of the running workers sweeps each minute (:mod:`workers.sweeper`).
    """
    configure_logging()
    build_worker().work(with_scheduler=True)
