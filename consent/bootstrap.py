"""The one composition root: every adapter of the service, built from the settings.

The web app (:func:`web.app.create_app`), the worker (:func:`workers.worker.build_worker`),
the dashboard and every ``vst-consent`` command get their adapters here and nowhere else.
Building connects nothing (engines, Redis clients and HTTP sessions open connections on
first use), so a worker may build its services before it forks. Tests give
:func:`bootstrap` their own engine, broker, KOSKI client or clock; the worker's jobs take
their services by port (:class:`consent.ports.WorkerServices`), so a test may pass them a
bundle of fakes instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import redis
from sqlalchemy import Engine

from consent.adapters.broker import broker_url, connect
from consent.adapters.consent_form import ConsentForm
from consent.adapters.counters import RedisCounters
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.koski import CONNECT_TIMEOUT, HttpKoski
from consent.adapters.login_throttle import LoginThrottle
from consent.adapters.onnistuu import OnnistuuKey
from consent.adapters.queues import RqJobQueue
from consent.adapters.run_claim import (
    ATTENTION_MAIL_CLAIM,
    RECONCILE_CLAIM,
    RETENTION_CLAIM,
    RedisRunClaim,
)
from consent.adapters.smtp import SmtpMailer
from consent.adapters.sql.attention import SqlAttention
from consent.adapters.sql.attention_mail import SqlAttentionMail
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.enrolments import SqlEnrolments
from consent.adapters.sql.exports import SqlExports
from consent.adapters.sql.key_usage import SqlKeyUsage
from consent.adapters.sql.ledger import SqlLedger, utc_now
from consent.adapters.sql.pending_imports import SqlPendingImports
from consent.adapters.sql.people import SqlPeople
from consent.adapters.sql.record_checks import SqlRecordChecks
from consent.adapters.sql.recorded_consents import SqlConsentRecords
from consent.adapters.sql.results import SqlResults
from consent.adapters.sql.retention import SqlRetention
from consent.adapters.sql.rewrap import SqlRewrap
from consent.adapters.sql.signed_forms import SqlSignedForms
from consent.adapters.sql.staff_accounts import SqlStaffAccounts
from consent.adapters.sql.staff_tokens import SqlStaffTokens
from consent.adapters.sql.status import SqlStatus
from consent.adapters.sql.submissions import SqlSubmissions
from consent.adapters.vismasign import HttpVismaSign
from consent.adapters.webhook_sender import ConnectorPoster
from consent.adapters.xlsx import sheet_records
from consent.config import Settings
from consent.enrolments import Enrolment
from consent.koski_answers import KoskiAnswer, first_error_key
from consent.ports import Clock, EventPoster, RenderForm
from consent.staff_actions import Signing, StaffServices


@dataclass(frozen=True)
class Services:
    """Every adapter a process may need, over one database engine and one broker client."""

    settings: Settings
    clock: Clock
    engine: Engine
    intake_engine: Engine  # the webhook intake's own pool: no pre-ping, autocommitted
    broker: redis.Redis
    cipher: AesGcmCipher
    ledger: SqlLedger
    courses: SqlCourses
    results: SqlResults
    submissions: SqlSubmissions
    record_checks: SqlRecordChecks  # when reconciliation last found each record in KOSKI
    status: SqlStatus  # what staff read about a course
    people: SqlPeople  # one person's data, for their requests (access, removal)
    enrolments: SqlEnrolments
    pending_imports: SqlPendingImports
    accounts: SqlStaffAccounts
    tokens: SqlStaffTokens
    queue: RqJobQueue
    counters: RedisCounters
    koski: HttpKoski

    @cached_property
    def intake_ledger(self) -> SqlLedger:
        """The ledger over the intake's own pool, where the webhook stores deliveries."""
        return SqlLedger(self.intake_engine, self.cipher, self.clock)

    @cached_property
    def reconcile_claim(self) -> RedisRunClaim:
        """The claim in the broker that keeps two reconciliation runs from overlapping."""
        return RedisRunClaim(self.broker, RECONCILE_CLAIM)

    @cached_property
    def key_usage(self) -> SqlKeyUsage:
        """What each configured PII key holds (``vst-consent keys status``)."""
        return SqlKeyUsage(self.engine, self.cipher)

    @cached_property
    def rewrap(self) -> SqlRewrap:
        """Seals everything again under the current PII key (``vst-consent keys rewrap``)."""
        return SqlRewrap(self.engine, self.cipher, self.clock)

    @cached_property
    def retention(self) -> SqlRetention:
        """The retention purge's view of the ledger (``vst-consent retention purge``)."""
        return SqlRetention(self.engine, self.clock)

    @cached_property
    def retention_claim(self) -> RedisRunClaim:
        """The claim in the broker that lets one worker a day run the retention purge."""
        return RedisRunClaim(self.broker, RETENTION_CLAIM)

    @cached_property
    def attention(self) -> SqlAttention:
        """The attention list's items and seen marks, across all courses."""
        return SqlAttention(self.engine, self.cipher, self.clock)

    @cached_property
    def exports(self) -> SqlExports:
        """What staff export: a course's participants, a year's records counted."""
        return SqlExports(self.engine, self.cipher)

    @cached_property
    def recorded_consents(self) -> SqlConsentRecords:
        """Where staff record consents from signed paper forms."""
        return SqlConsentRecords(self.engine, self.cipher, self.clock)

    @cached_property
    def forms(self) -> SqlSignedForms:
        """Each consent's signed form (PDF), kept sealed."""
        return SqlSignedForms(self.engine, self.cipher)

    @cached_property
    def attention_mail(self) -> SqlAttentionMail:
        """The weekly attention e-mail's recipients and records (:mod:`consent.weekly_mail`)."""
        return SqlAttentionMail(self.engine, self.clock)

    def attention_mail_claim(self, week: str) -> RedisRunClaim:
        """The claim in the broker that lets one worker at a time mail ``week``'s e-mail."""
        return RedisRunClaim(self.broker, ATTENTION_MAIL_CLAIM + week)

    @cached_property
    def mailer(self) -> SmtpMailer:
        """The SMTP server the weekly e-mail goes through (``SMTP_*``); connects on sending."""
        return SmtpMailer(self.settings.mail, self.clock)

    @cached_property
    def throttle(self) -> LoginThrottle:
        """Failed staff logins, counted in the broker (the pages and the dashboard)."""
        return LoginThrottle(self.broker, self.settings.web_secret_key)

    @cached_property
    def connector(self) -> Connector:
        """The signing connector's adapters (built on first use: only its jobs need them)."""
        return _connector(self)

    @property
    def connector_enabled(self) -> bool:
        """Whether the signing connector is configured (``SIGNING_CONNECTOR_KEY``)."""
        return bool(self.settings.signing.connector_key)

    def release_connections(self) -> None:
        """Close every database and HTTP connection held: a process about to fork must not
        hand one socket to several children."""
        self.engine.dispose()
        self.intake_engine.dispose()
        self.koski.close()
        if "connector" in self.__dict__:  # built, so it may hold a connection
            self.connector.service.close()


@dataclass(frozen=True)
class Connector:
    """The signing connector: Visma Sign, the consent form, and the signed webhook it posts."""

    service: HttpVismaSign
    render: RenderForm
    post: EventPoster


def bootstrap(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    broker: redis.Redis | None = None,
    queue: RqJobQueue | None = None,
    koski: HttpKoski | None = None,
    clock: Clock = utc_now,
    pre_ping: bool = True,
) -> Services:
    """Build every adapter from ``settings`` (the environment's by default).

    ``pre_ping`` checks a pooled connection before each use: right for long-lived web
    processes, a wasted round trip in a worker (:func:`worker_services`).
    """
    settings = settings or Settings.from_env()
    # The intake's one statement is retried once on a connection that has died instead of
    # paying a pre-ping's round trip on every request, and is committed on its own: it gets
    # a pool of its own, whose connections stay in autocommit, so none comes back with a
    # transaction to roll back (an engine connects lazily, so a process that never takes a
    # delivery never opens one).
    intake_engine = engine or make_engine(
        settings.database_url,
        pool_pre_ping=False,
        isolation_level="AUTOCOMMIT",
        pool_reset_on_return=None,
    )
    engine = engine or make_engine(settings.database_url, pool_pre_ping=pre_ping)
    broker = broker or connect(broker_url(settings))
    cipher = AesGcmCipher(settings.pii_keys)
    counters = RedisCounters(broker)
    return Services(
        settings=settings,
        clock=clock,
        engine=engine,
        intake_engine=intake_engine,
        broker=broker,
        cipher=cipher,
        ledger=SqlLedger(engine, cipher, clock),
        courses=SqlCourses(engine, clock),
        results=SqlResults(engine, cipher, clock),
        submissions=SqlSubmissions(engine, cipher, clock),
        record_checks=SqlRecordChecks(engine),
        status=SqlStatus(engine, cipher),
        people=SqlPeople(engine, cipher, clock),
        enrolments=SqlEnrolments(engine, cipher, clock),
        pending_imports=SqlPendingImports(engine, cipher, clock),
        accounts=SqlStaffAccounts(engine, clock),
        tokens=SqlStaffTokens(engine, clock),
        queue=queue or RqJobQueue(broker),
        counters=counters,
        koski=koski or _koski(settings, counters),
    )


def staff_services(services: Services, *, enrolling: bool | None = None) -> StaffServices:
    """The ports of the staff actions (:mod:`consent.staff_actions`) over ``services``.

    Enrolling is on when the signing connector is configured; ``enrolling=True`` (the CLI,
    as ever) turns it on whatever the configuration says."""
    settings = services.settings
    signing = Signing(
        services.enrolments, services.queue.enqueue_invitation, settings.signing.expiry_days
    )
    enrol = services.connector_enabled if enrolling is None else enrolling
    return StaffServices(
        courses=services.courses,
        results=services.results,
        submissions=services.submissions,
        jobs=services.queue,
        koski=services.koski,
        pending=services.pending_imports,
        clock=services.clock,
        allow_temporary_hetu=settings.allow_temporary_hetu,
        signing=signing if enrol else None,
        records=services.status,
        people=services.people,
        attention=services.attention,
        sheets=sheet_records,
        exports=services.exports,
        forms=services.forms,
        recorded=services.recorded_consents,
        status=services.status,
    )


def worker_services(settings: Settings | None = None) -> Services:
    """The services of a worker, without a pre-ping, which would add a round trip to every
    transaction: work horses start without connections, and the drain that binds deliveries
    keeps the worker's own from one drain to the next; one that died meanwhile (a database
    restart) fails that drain, the pool is renewed, and RQ runs the drain again at once."""
    return bootstrap(settings, pre_ping=False)


def _koski(settings: Settings, counters: RedisCounters) -> HttpKoski:
    return HttpKoski(
        settings.koski_url,
        settings.koski_username,
        settings.koski_password,
        settings.koski_caller_id,
        on_answer=lambda answer: _count_answer(counters, answer),
        timeout=(CONNECT_TIMEOUT, settings.koski_timeout),
    )


def _count_answer(counters: RedisCounters, answer: KoskiAnswer) -> None:
    """KOSKI answers by status and first error key, for ``/metrics``."""
    status = "none" if answer.status is None else str(answer.status)
    counters.count("koski", status=status, key=first_error_key(answer))


def _connector(services: Services) -> Connector:
    signing = services.settings.signing
    form = ConsentForm(signing.organiser, signing.consent_template)

    def render(enrolment: Enrolment) -> bytes:
        return form.for_course(enrolment, services.courses.find_course(enrolment.course_code))

    key = OnnistuuKey.parse(signing.vismasign_client_id, signing.vismasign_secret)
    return Connector(
        service=HttpVismaSign(signing.vismasign_url, key, services.clock),
        render=render,
        post=ConnectorPoster(signing.webhook_url, signing.connector_key),
    )
