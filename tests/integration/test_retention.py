"""The retention purge on SQLite and PostgreSQL, with a clock the tests move: exactly the data
of people who never gave a valid consent goes, once their course ended RETENTION_DAYS ago;
consents, signed events, PDFs and everything sent to KOSKI stay."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import Engine, func, select, update

from consent import binding, grading, retention
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.run_claim import RETENTION_CLAIM
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.enrolments import SqlEnrolments
from consent.adapters.sql.pending_imports import SqlPendingImports
from consent.adapters.sql.results import SqlResults
from consent.adapters.sql.retention import SqlRetention
from consent.adapters.sql.tables import (
    AuditRow,
    ConsentRow,
    EnrolmentRow,
    InboxRow,
    ParticipantRow,
    ResultRow,
    SubmissionRow,
)
from consent.bootstrap import bootstrap
from consent.config import Settings
from consent.enrolments import Cancelled, EventPosted, Invited, Signed
from consent.enrolments import EnrolmentRow as Enrolling
from consent.hetu import HETU_PATTERN, Hetu
from consent.model import InboxDelivery, Person
from consent.retention_rules import DEFAULT_DAYS, Purged
from tests.conftest import REDIS_URL
from tests.courses import course
from tests.fakes import MovableClock, RecordingGradingJobs
from tests.signing import body_of, event, person
from tests.sql_ledger import SqlLedgerForTests
from workers.sweeper import SWEEP_CLAIM, sweep_if_due

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC)
COURSE = "knoppi-2026-syksy"  # ends 2026-12-15
LIMIT = dt.datetime(2027, 3, 15, 0, 30, tzinfo=dt.UTC)  # 90 days after the course ended
DAY = dt.timedelta(days=1)
OTHER_COURSE = "vanha-kurssi-2026"  # not defined here
SIGNED, CANCELLED = "consent.signed", "consent.cancelled"


def adult(first: str) -> dict[str, str]:
    return person(dt.date(1990, 5, 5), first, "Aikuinen")


def minor(first: str) -> dict[str, str]:
    return person(dt.date(2011, 4, 4), first, "Alaikäinen")


@dataclass
class World:
    engine: Engine
    clock: MovableClock
    ledger: SqlLedgerForTests
    results: SqlResults
    enrolments: SqlEnrolments
    jobs: RecordingGradingJobs = field(default_factory=RecordingGradingJobs)
    people: dict[str, dict[str, str]] = field(default_factory=dict)
    deliveries: int = 0

    def signs(self, name: str, member: dict[str, str], signer: dict[str, str], kind: str) -> None:
        self.people.setdefault(name, member)
        self.deliveries += 1
        document = event(member, signer, kind=kind, document_id=f"doc-{self.deliveries}")
        delivery = InboxDelivery(
            "signing", f"m{self.deliveries}", 1, "v1,x", "k", kind, body_of(document), NOW
        )
        inbox_id = self.ledger.store_delivery(delivery).inbox_id
        bound = binding.bind_consent(inbox_id, self.ledger, self.clock)
        assert bound.course_code is not None
        assert bound.participant_id is not None
        self.jobs.results.extend(self.results.results_of(bound.course_code, bound.participant_id))
        self.bind()

    def graded(
        self, name: str, member: dict[str, str], grade: str = "hyväksytty", **extra: Any
    ) -> None:
        self.people.setdefault(name, member)
        row = {"hetu": member["hetu"], "grade": grade, "graded_on": "2026-12-10", **extra}
        grading.import_results(
            course(), [row], self.results, self.jobs, today=NOW.date(), actor="test"
        )
        self.bind()

    def bind(self) -> None:
        while self.jobs.results:
            batch, self.jobs.results = self.jobs.results, []
            grading.bind_results(batch, self.results, self.jobs, "winnova")

    def enrols(self, name: str, member: dict[str, str], signer: dict[str, str], code: str) -> int:
        self.people.setdefault(name, member)
        self.people.setdefault(f"{name}'s signer", signer)
        row = Enrolling(as_person(member), as_person(signer), {"email": "x@example.org"})
        ids, _ = self.enrolments.enrol(code, [row], NOW + 30 * DAY, "test")
        self.enrolments.record(ids[0], Invited("inv", "https://sign.example/x", NOW))
        return ids[0]

    def participant(self, name: str) -> int | None:
        return self.ledger.find_participant(as_person(self.people[name]).hetu)

    def result_of(self, name: str) -> int | None:
        participant = self.participant(name)
        if participant is None:
            return None
        found = self.results.results_of(COURSE, participant)
        return found[0] if found else None


def as_person(member: dict[str, str]) -> Person:
    return Person(Hetu(member["hetu"]), member["first_names"], member["last_name"])


@pytest.fixture
def world(engine: Engine, cipher: AesGcmCipher) -> World:
    clock = MovableClock(NOW)
    SqlCourses(engine, clock).save_course(course(end_date="2026-12-15"), "test")
    w = World(
        engine,
        clock,
        SqlLedgerForTests(engine, cipher, clock),
        SqlResults(engine, cipher, clock),
        SqlEnrolments(engine, cipher, clock),
    )
    # Consenting people: a record sent to KOSKI (and its signed form), a failed grade.
    sent, failed = adult("Saara"), adult("Hylkä")
    w.signs("sent", sent, sent, SIGNED)
    w.graded("sent", sent)
    with engine.begin() as connection:
        connection.execute(
            update(SubmissionRow).values(state="sent", oid="1.2.246.562.15.1", versionumero=1)
        )
    form = w.enrols("sent", sent, sent, COURSE)
    w.enrolments.keep_signed_pdf(form, b"%PDF-1.7 signed form")
    w.enrolments.record(form, Signed(NOW))
    w.enrolments.record(form, EventPosted(NOW))
    w.signs("failed", failed, failed, SIGNED)
    w.graded("failed", failed, "hylätty")
    # No valid consent: none at all, rejected, cancelled, withdrawn before anything was sent.
    w.graded("stranger", adult("Vieras"))
    youngster, cancelled, quitter = minor("Nuori"), adult("Peru"), adult("Katu")
    w.signs("rejected", youngster, youngster, SIGNED)  # a minor may not sign for themself
    w.graded("rejected", youngster)
    w.signs("cancelled", cancelled, cancelled, CANCELLED)
    w.graded("cancelled", cancelled)
    w.signs("withdrawn", quitter, quitter, SIGNED)
    w.signs("withdrawn", quitter, quitter, CANCELLED)
    w.graded("withdrawn", quitter)
    # Withdrawn after its record was queued: its submission row keeps it.
    held = adult("Jono")
    w.signs("held", held, held, SIGNED)
    w.graded("held", held)
    w.signs("held", held, held, CANCELLED)
    # No consent, and the participant's own end date is later than the course's (the course
    # was edited to end sooner after the results came).
    w.graded("late", adult("Myöhä"))
    with engine.begin() as connection:
        late = ResultRow.id == w.result_of("late")
        connection.execute(update(ResultRow).where(late).values(ended_on=dt.date(2027, 1, 10)))
    # Invitations: one expired and posted (with its cancelled consent), one expired and not
    # yet posted, one still open, and one expired for a course not defined here.
    child, guardian = minor("Lapsi"), adult("Huoltaja")
    expired = w.enrols("expired", child, guardian, COURSE)
    w.enrolments.record(expired, Cancelled(NOW, "expired"))
    w.enrolments.record(expired, EventPosted(NOW))
    w.signs("expired", child, guardian, CANCELLED)
    unposted, invited, elsewhere = adult("Posti"), adult("Kutsu"), adult("Muualla")
    unposted_id = w.enrols("unposted", unposted, unposted, COURSE)
    w.enrolments.record(unposted_id, Cancelled(NOW, "expired"))
    w.enrols("invited", invited, invited, COURSE)
    elsewhere_id = w.enrols("elsewhere", elsewhere, elsewhere, OTHER_COURSE)
    w.enrolments.record(elsewhere_id, Cancelled(NOW, "expired"))
    w.enrolments.record(elsewhere_id, EventPosted(NOW))
    SqlPendingImports(engine, cipher, clock).hold(COURSE, "csv", b"hetu,grade\n", "staff")
    return w


def snapshot(engine: Engine, table: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(select(table).order_by(*table.__table__.primary_key))
        return [tuple(row) for row in rows]


KEPT = (ConsentRow, InboxRow, SubmissionRow)


def purge(world: World, at: dt.datetime) -> Purged:
    world.clock.now = at
    return retention.purge(
        SqlRetention(world.engine, world.clock, batch=2), world.clock, 90, "test"
    )


def test_the_day_before_the_limit_only_expired_uploads_go(world: World) -> None:
    before = {
        table: snapshot(world.engine, table)
        for table in (*KEPT, ResultRow, EnrolmentRow, ParticipantRow)
    }
    assert purge(world, LIMIT - DAY) == Purged(pending_imports=1)  # expired a day after upload
    for table, rows in before.items():
        assert snapshot(world.engine, table) == rows


def test_exactly_the_non_consenting_data_past_the_limit_goes(world: World) -> None:
    kept = {table: snapshot(world.engine, table) for table in KEPT}
    had_result = {name for name in world.people if world.result_of(name) is not None}
    enrolled = enrolments(world)
    assert purge(world, LIMIT) == Purged(results=4, enrolments=1, participants=2, pending_imports=1)
    left = {name for name in had_result if world.result_of(name) is not None}
    assert had_result - left == {"stranger", "rejected", "cancelled", "withdrawn"}
    gone = {name for name in world.people if world.participant(name) is None}
    assert gone == {"stranger", "expired's signer"}  # the others have a consent or a result
    for table, rows in kept.items():
        assert snapshot(world.engine, table) == rows  # consents, signed events, submissions
    assert set(enrolled) - set(enrolments(world)) == {"expired"}
    assert enrolments(world)["sent"] == enrolled["sent"]  # the signed form, untouched


def enrolments(world: World) -> dict[str, tuple[Any, ...]]:
    """Each enrolment's row by its participant's name."""
    names: dict[int | None, str] = {}
    for name in world.people:  # one who signs for themself is named once, as participant
        names.setdefault(world.participant(name), name)
    with world.engine.connect() as connection:
        rows = connection.execute(select(EnrolmentRow)).all()
    return {names[row.participant_id]: tuple(row) for row in rows}


def test_what_ended_later_goes_later(world: World) -> None:
    purge(world, LIMIT)
    assert purge(world, dt.datetime(2027, 4, 9, tzinfo=dt.UTC)) == Purged()
    assert world.result_of("late") is not None
    assert purge(world, dt.datetime(2027, 4, 10, tzinfo=dt.UTC)) == Purged(
        results=1, participants=1
    )
    assert world.result_of("late") is None
    # The invitation of a course not defined here expired 2027-01-19: 90 days on, it goes.
    assert purge(world, dt.datetime(2027, 4, 19, tzinfo=dt.UTC)) == Purged(
        enrolments=1, participants=1
    )


def test_a_dry_run_counts_what_a_purge_deletes_and_changes_nothing(world: World) -> None:
    tables = (*KEPT, ResultRow, EnrolmentRow, ParticipantRow, AuditRow)
    before = {table: snapshot(world.engine, table) for table in tables}
    world.clock.now = LIMIT
    store = SqlRetention(world.engine, world.clock)
    counted = retention.dry_run(store, world.clock, DEFAULT_DAYS)
    for table, rows in before.items():
        assert snapshot(world.engine, table) == rows
    assert counted == purge(world, LIMIT)


def test_a_second_run_purges_nothing_and_each_run_audits_its_counts_only(world: World) -> None:
    first = purge(world, LIMIT)
    assert purge(world, LIMIT + dt.timedelta(hours=1)) == Purged()
    with world.engine.connect() as connection:
        audited = connection.execute(
            select(AuditRow.actor, AuditRow.subject_id, AuditRow.details)
            .where(AuditRow.action == retention.PURGED)
            .order_by(AuditRow.id)
        ).all()
    day = {"retention_days": 90, "ended_on_or_before": "2026-12-15"}
    assert [tuple(row) for row in audited] == [
        ("test", None, {**first.counts(), **day}),
        ("test", None, {**Purged().counts(), **day}),
    ]


def test_a_consent_arriving_after_the_purge_is_bound_and_finds_no_result(world: World) -> None:
    purged_result = world.result_of("stranger")
    assert purged_result is not None
    purge(world, LIMIT)
    grading.bind_results([purged_result], world.results, world.jobs, "winnova")  # was queued
    world.signs("stranger", world.people["stranger"], world.people["stranger"], "consent.signed")
    participant = world.participant("stranger")
    assert participant is not None  # created again
    assert world.results.results_of(COURSE, participant) == []
    with world.engine.connect() as connection:
        state = connection.execute(
            select(ConsentRow.state).where(ConsentRow.participant_id == participant)
        ).scalar_one()
    assert state == "valid"


def test_the_sweeper_purges_at_most_once_a_day_across_workers_and_broker_restarts(
    world: World, redis_client: redis.Redis
) -> None:
    deps = bootstrap(
        Settings.from_env({}), engine=world.engine, broker=redis_client, clock=world.clock
    )
    world.clock.now = LIMIT

    def sweep(worker: str) -> None:
        redis_client.delete(SWEEP_CLAIM)  # a minute has passed: the next sweep is due
        assert sweep_if_due(deps, redis_client, worker)

    assert deps.retention_claim.take("retention-other", 60)  # another worker's purge
    sweep("w1")
    assert purges(world) == 0  # another worker's purge is under way
    redis_client.delete(RETENTION_CLAIM)
    sweep("w1")
    assert purges(world) == 1
    assert world.result_of("stranger") is None
    world.clock.move(dt.timedelta(hours=1))
    sweep("w2")
    redis_client.flushdb()  # the broker restarted empty: the ledger knows the day's purge ran
    world.clock.move(dt.timedelta(hours=22))
    sweep("w2")
    assert purges(world) == 1
    world.clock.move(dt.timedelta(hours=1))
    redis_client.flushdb()  # the day's claim expired
    sweep("w3")
    assert purges(world) == 2


def purges(world: World) -> int:
    query = select(func.count()).where(AuditRow.action == retention.PURGED)
    with world.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def test_the_command_prints_counts_per_kind_and_never_the_data(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    spring = course(code="kevat-2026", end_date="2026-05-31")  # long past, by the real clock
    SqlCourses(engine, MovableClock(NOW)).save_course(spring, "test")
    stranger = adult("Vieras")
    row = {"hetu": stranger["hetu"], "grade": "hyväksytty", "graded_on": "2026-05-30"}
    results = SqlResults(engine, cipher, MovableClock(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)))
    grading.import_results(
        spring, [row], results, RecordingGradingJobs(), today=dt.date(2026, 6, 1), actor="test"
    )
    url = engine.url.render_as_string(hide_password=False)

    def command(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "cli.main", "retention", "purge", *args],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert not HETU_PATTERN.search(done.stdout + done.stderr)
        return done.stdout

    counts = "  results: 1\n  enrolments: 0\n  participants: 1\n  pending imports: 0\n"
    assert command("--dry-run").endswith(f"would delete\n{counts}")
    assert count(engine, ResultRow) == 1
    assert command().endswith(f"deleted\n{counts}")
    assert count(engine, ResultRow) == 0
    assert "results: 0" in command("--dry-run")


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())
