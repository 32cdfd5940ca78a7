"""People without a hetu and consents staff record from paper, on SQLite and PostgreSQL:
the consent follows the signed one's rules, is audited with the staff member, and its
results go to the KOSKI sandbox, by oppijanumero for a person who has no hetu."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consent import binding, grading, staff_actions
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.koski import HttpKoski
from consent.adapters.sql import purposes
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.ledger import SqlLedger
from consent.adapters.sql.recorded_consents import SqlConsentRecords
from consent.adapters.sql.results import SqlResults
from consent.adapters.sql.signed_forms import SqlSignedForms
from consent.adapters.sql.submissions import SqlSubmissions
from consent.adapters.sql.tables import AuditRow, ConsentRow, ParticipantRow
from consent.errors import ConsentNotRecorded
from consent.hetu import Hetu
from consent.import_files import ImportRejected
from consent.model import InboxDelivery, OidPerson, Participant, Person, SubmissionState
from consent.oppijanumero import Oppijanumero
from consent.ports import Sealed
from consent.recorded_consents import Guardian, PaperConsent, SignedBy
from consent.rules import ADULT_SIGNED_BY_OTHER, MINOR_SIGNED_ALONE
from consent.staff import Actor
from consent.staff_actions import StaffServices
from tests.courses import course
from tests.fakes import InMemoryPendingImports, RecordingGradingJobs
from tests.hetus import make_hetu
from tests.integration import test_grading
from tests.koski_server import PASSWORD, USER, RunningSandbox, running_sandbox
from tests.signing import body_of, event

NOW = dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC)
CODE = "knoppi-2026-syksy"
ACTOR = Actor.staff("maija")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SIGNED_ON = dt.date(2026, 9, 1)


def hetu_person(born: dt.date, first: str = "Aino", last: str = "Virtanen") -> Person:
    return Person(Hetu.parse(make_hetu(born), today=NOW.date()), first, last)


@dataclass
class World:
    engine: Engine
    cipher: AesGcmCipher
    services: StaffServices
    results: SqlResults
    submissions: SqlSubmissions
    jobs: RecordingGradingJobs
    koski: HttpKoski
    sandbox: RunningSandbox

    def record(
        self,
        participant: Participant,
        signed_by: SignedBy = SignedBy.PARTICIPANT,
        guardian: Guardian | None = None,
        pdf: bytes = PDF,
    ) -> staff_actions.Recorded:
        form = PaperConsent(CODE, participant, signed_by, guardian, SIGNED_ON, pdf)
        return staff_actions.record_consent(self.services, form, ACTOR)

    def import_rows(self, rows: list[dict[str, Any]]) -> None:
        grading.import_results(
            course(), rows, self.results, self.jobs, today=NOW.date(), actor="test"
        )

    def work(self) -> list[SubmissionState]:
        """Bind what is queued and send it (the grading tests' :func:`drain`)."""
        return test_grading.drain(self.jobs, self.results, self.submissions, self.koski)

    def consents(self) -> list[ConsentRow]:
        with Session(self.engine) as session:
            return list(session.execute(select(ConsentRow).order_by(ConsentRow.id)).scalars())

    def audit(self, action: str) -> list[AuditRow]:
        with Session(self.engine) as session:
            query = select(AuditRow).where(AuditRow.action == action).order_by(AuditRow.id)
            return list(session.execute(query).scalars())


@pytest.fixture
def world(engine: Engine, cipher: AesGcmCipher, tmp_path: Path) -> Iterator[World]:
    courses = SqlCourses(engine, lambda: NOW)
    courses.save_course(course(end_date="2026-12-15"), "test")
    results = SqlResults(engine, cipher, lambda: NOW)
    submissions = SqlSubmissions(engine, cipher, lambda: NOW)
    jobs = RecordingGradingJobs()
    with running_sandbox(tmp_path / "koski.db", today=NOW.date) as sandbox:
        koski = HttpKoski(
            sandbox.url, USER, PASSWORD, "1.2.246.562.10.00000000001.test", timeout=(2, 2)
        )
        services = StaffServices(
            courses=courses,
            results=results,
            submissions=submissions,
            jobs=jobs,
            koski=koski,
            pending=InMemoryPendingImports(),
            clock=lambda: NOW,
            recorded=SqlConsentRecords(engine, cipher, lambda: NOW),
        )
        yield World(engine, cipher, services, results, submissions, jobs, koski, sandbox)


def graded(identity: dict[str, str]) -> dict[str, Any]:
    return {**identity, "grade": "hyväksytty", "graded_on": "2026-12-10"}


def test_a_person_without_a_hetu_consents_on_paper_and_koski_receives_them_by_oid(
    world: World,
) -> None:
    oid = world.sandbox.add_person("Amina", "Hassan")
    participant = OidPerson(Oppijanumero.parse(oid), dt.date(1995, 3, 3), "Amina", "Hassan")
    recorded = world.record(participant)
    assert recorded.relation == "self"
    world.import_rows([graded({"oppijanumero": oid})])
    assert world.work() == [SubmissionState.SENT]
    [stored] = world.sandbox.stored()
    assert stored["henkilö"] == {"oid": oid}
    with Session(world.engine) as session:
        row = session.execute(select(ParticipantRow)).scalar_one()
    assert row.hetu_index is None
    assert row.oid_sealed is not None
    assert oid.encode() not in row.oid_sealed


def test_koski_s_404_for_an_oid_it_does_not_know_leaves_the_record_for_staff(
    world: World,
) -> None:
    oid = "1.2.246.562.24.91377095207"  # well formed, unknown to the sandbox
    world.record(OidPerson(Oppijanumero.parse(oid), dt.date(1995, 3, 3), "Amina", "Hassan"))
    world.import_rows([graded({"oppijanumero": oid})])
    assert world.work() == [SubmissionState.FAILED]
    assert world.sandbox.stored() == []


def test_an_adult_s_paper_consent_is_recorded_audited_and_its_form_kept_sealed(
    world: World,
) -> None:
    adult = hetu_person(dt.date(1990, 5, 5))
    world.import_rows([graded({"hetu": adult.hetu.reveal()})])
    assert world.work() == []  # no consent yet
    recorded = world.record(adult)
    assert recorded.results == 1
    assert world.work() == [SubmissionState.SENT]
    [consent] = world.consents()
    assert (consent.state, consent.signer_relation, consent.recorded_by) == (
        "valid",
        "self",
        "staff:maija",
    )
    assert consent.pdf_key_id is not None
    assert consent.pdf_sealed is not None
    opened = world.cipher.open_bytes(
        Sealed(consent.pdf_key_id, consent.pdf_sealed), purposes.CONSENT_PDF
    )
    assert opened == PDF
    form = SqlSignedForms(world.engine, world.cipher).consent_form(consent.id)
    assert form is not None
    assert form.pdf == PDF
    [entry] = world.audit("consent.recorded")
    assert (entry.actor, entry.subject_id) == ("staff:maija", consent.id)
    assert entry.details is not None
    assert entry.details["relation"] == "self"
    assert adult.hetu.reveal() not in json.dumps(entry.details)
    assert "Virtanen" not in json.dumps(entry.details)


def test_a_minor_s_consent_signed_by_a_guardian_by_hetu_or_by_name_is_recorded(
    world: World,
) -> None:
    minor = hetu_person(dt.date(2012, 4, 4), "Onni", "Korhonen")
    guardian = hetu_person(dt.date(1980, 2, 2), "Maija", "Korhonen")
    by_hetu = Guardian(guardian.hetu, guardian.first_names, guardian.last_name)
    assert world.record(minor, SignedBy.GUARDIAN, by_hetu).relation == "guardian"
    oid_minor = OidPerson(
        Oppijanumero.parse(world.sandbox.add_person("Lea", "Ali")),
        dt.date(2011, 1, 1),
        "Lea",
        "Ali",
    )
    by_name = Guardian(None, "Sara", "Ali")
    assert world.record(oid_minor, SignedBy.GUARDIAN, by_name).relation == "guardian"
    consents = world.consents()
    assert [c.signer_relation for c in consents] == ["guardian", "guardian"]
    assert consents[0].signer_index is not None
    assert consents[1].signer_index is None
    assert consents[1].signer_sealed is not None
    assert len(world.audit("consent.recorded")) == 2


@pytest.mark.parametrize(
    ("born", "signed_by", "guardian", "reason"),
    [
        (dt.date(2012, 4, 4), SignedBy.PARTICIPANT, None, MINOR_SIGNED_ALONE),
        (
            dt.date(1990, 5, 5),
            SignedBy.GUARDIAN,
            Guardian(None, "Maija", "Korhonen"),
            ADULT_SIGNED_BY_OTHER,
        ),
    ],
    ids=["minor without a guardian", "adult signed by another"],
)
def test_a_consent_breaking_the_signing_rule_is_refused_and_nothing_recorded(
    world: World, born: dt.date, signed_by: SignedBy, guardian: Guardian | None, reason: str
) -> None:
    with pytest.raises(ConsentNotRecorded) as refused:
        world.record(hetu_person(born), signed_by, guardian)
    assert refused.value.reason == reason
    assert world.consents() == []
    assert world.audit("consent.recorded") == []


@pytest.mark.parametrize(
    "pdf",
    [
        b"",
        b"Not a PDF at all, just text\n",
        b"\x89PNG\r\n\x1a\n" + b"0" * 100,
        b"%PDF-1.4\n" + b"0" * 2000,
    ],
    ids=["no pdf", "text", "png", "truncated pdf"],
)
def test_a_consent_without_a_real_pdf_is_refused_and_nothing_recorded(
    world: World, pdf: bytes
) -> None:
    with pytest.raises(ConsentNotRecorded) as refused:
        world.record(hetu_person(dt.date(1990, 5, 5)), pdf=pdf)
    assert refused.value.field == "pdf"
    assert world.consents() == []


def test_a_results_row_by_an_oid_nobody_has_consented_under_is_refused(world: World) -> None:
    with pytest.raises(ImportRejected) as refused:
        world.import_rows([graded({"oppijanumero": "1.2.246.562.24.91377095207"})])
    assert [(e.row, e.field) for e in refused.value.errors] == [(1, "oppijanumero")]


@pytest.mark.parametrize(
    "identity",
    [
        {"oppijanumero": "1.2.246.562.24.91377095208"},  # a wrong check digit
        {"oppijanumero": "1.2.246.562.10.31915273374"},  # an organisation
        {"hetu": make_hetu(dt.date(1990, 5, 5)), "oppijanumero": "1.2.246.562.24.91377095207"},
        {},
    ],
    ids=["bad check digit", "not a person", "both", "neither"],
)
def test_a_results_row_needs_exactly_one_valid_identity(
    world: World, identity: dict[str, str]
) -> None:
    with pytest.raises(ImportRejected) as refused:
        world.import_rows([graded(identity)])
    [error] = refused.value.errors
    assert error.field in {"hetu", "oppijanumero"}
    assert "1.2.246" not in error.reason.replace("1.2.246.562.24.", "")


def test_a_cancellation_from_the_signing_service_withdraws_a_paper_consent_keeping_its_signer(
    world: World,
) -> None:
    minor = hetu_person(dt.date(2012, 4, 4), "Onni", "Korhonen")
    world.record(minor, SignedBy.GUARDIAN, Guardian(None, "Sara", "Korhonen"))
    member = {"hetu": minor.hetu.reveal(), "first_names": "Onni", "last_name": "Korhonen"}
    document = event(member, None, kind="consent.cancelled", at="2026-12-20T09:30:00Z")
    delivery = InboxDelivery(
        "signing", "cancel-1", 1, "v1,x", "k", document["type"], body_of(document), NOW
    )
    ledger = SqlLedger(world.engine, world.cipher, lambda: NOW)
    inbox_id = ledger.store_delivery(delivery).inbox_id
    later = NOW + dt.timedelta(hours=1)  # the cancellation came after the paper was recorded
    bound = binding.bind_consent(inbox_id, ledger, lambda: later)
    assert bound.outcome == "withdrawn before anything was sent"
    [consent] = world.consents()
    assert consent.state == "withdrawn"
    assert consent.signer_key_id is not None
    assert consent.signer_sealed is not None
    signer = world.cipher.open(
        Sealed(consent.signer_key_id, consent.signer_sealed), purposes.SIGNER
    )
    assert json.loads(signer) == {"first_names": "Sara", "last_name": "Korhonen"}
