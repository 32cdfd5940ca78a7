"""The right of access: one document with everything the ledger holds about a person, as a
participant and as a guardian who signed for someone, audited with who asked (SQLite and
PostgreSQL, KOSKI the sandbox)."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cli.main import main
from consent import binding, grading, staff_actions
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.person_pdf import person_pdf
from consent.adapters.sql import participants
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.enrolments import SqlEnrolments
from consent.adapters.sql.people import SqlPeople
from consent.adapters.sql.tables import AuditRow
from consent.config import PiiKey
from consent.enrolments import EnrolmentRow
from consent.errors import InvalidHetu
from consent.hetu import Hetu
from consent.model import InboxDelivery, OidPerson, Person, SubmissionState
from consent.oppijanumero import Oppijanumero
from consent.person_views import export_json
from consent.staff import Actor
from consent.staff_actions import StaffServices
from tests.conftest import REDIS_URL
from tests.courses import course
from tests.integration import test_grading
from tests.integration.test_grading import MINOR, NOW, World, row
from tests.oids import make_oid
from tests.signing import body_of, event, person
from tests.sql_ledger import SqlLedgerForTests

world = test_grading.world  # a ledger, its queues and the KOSKI sandbox
PARENT = person(dt.date(1982, 3, 3), "Maija", "Mäkinen")  # takes two courses, signs for MINOR
AUTUMN, SPRING = "knoppi-2026-syksy", "savi-2026"
SIGNED_FORM = b"%PDF-1.4 the signed consent form"
MAIJA = Actor.staff("maija")
KEY = os.urandom(32)  # this module's PII key, so that the command opens what the tests seal


@pytest.fixture
def cipher() -> AesGcmCipher:
    """The module's cipher (the conftest one, under a key the command is given too)."""
    return AesGcmCipher([PiiKey("test", KEY)])


def people_services(world: World, engine: Engine, cipher: AesGcmCipher) -> StaffServices:
    """The staff actions over the world, with the ledger of people."""
    services = test_grading.staff_services(world, engine)
    return dataclasses.replace(services, people=SqlPeople(engine, cipher, lambda: NOW))


def consent(world: World, member: dict[str, str], signer: dict[str, str], code: str) -> None:
    """A signed consent event for ``code``, stored and bound as the intake would."""
    webhook_id = f"{code}-{member['hetu']}"
    document = event(member, signer, course=code, at="2026-09-01T08:15:00Z")
    delivery = InboxDelivery(
        "signing", webhook_id, 1, "v1,x", "k", document["type"], body_of(document), NOW
    )
    inbox_id = world.ledger.store_delivery(delivery).inbox_id
    binding.bind_consent(inbox_id, world.ledger, lambda: NOW)


def parent_with_two_courses(world: World, engine: Engine, cipher: AesGcmCipher) -> int:
    """PARENT passed two courses and consented to both (the spring one through the signing
    connector, whose signed form is kept), signed for MINOR as a guardian, and their autumn
    record went to KOSKI and was invalidated; the invalidated submission's id."""
    spring = course(
        code=SPRING,
        name={"fi": "Savityön perusteet"},
        parts=None,
        laajuus_op=1,
        end_date="2026-06-12",  # another day: KOSKI refuses a second record of one day
    )
    SqlCourses(engine, lambda: NOW).save_course(spring, "test")
    enrolments = SqlEnrolments(engine, cipher, lambda: NOW)
    parent = Person(Hetu(PARENT["hetu"]), PARENT["first_names"], PARENT["last_name"])
    contact = {"email": "maija@example.invalid"}
    (enrolment_id,), _ = enrolments.enrol(
        SPRING, [EnrolmentRow(parent, parent, contact)], NOW + dt.timedelta(days=30), "test"
    )
    enrolments.keep_signed_pdf(enrolment_id, SIGNED_FORM)
    consent(world, PARENT, PARENT, AUTUMN)
    consent(world, PARENT, PARENT, SPRING)
    consent(world, MINOR, PARENT, AUTUMN)
    world.import_rows([row(PARENT), row(MINOR)])
    grading.import_results(
        spring, [row(PARENT)], world.results, world.jobs, today=NOW.date(), actor="test"
    )
    assert world.work() == [SubmissionState.SENT] * 3
    services = people_services(world, engine, cipher)
    autumn = [r for r in world.course_status(AUTUMN) if r["participant"]["name"] == "M. M."]
    submission_id = int(autumn[0]["submission"]["id"])
    invalidated = staff_actions.invalidate(services, submission_id, MAIJA, "wrong_result")
    assert invalidated is SubmissionState.INVALIDATED
    return submission_id


def exported(world: World, engine: Engine, cipher: AesGcmCipher, hetu: str) -> dict[str, Any]:
    services = people_services(world, engine, cipher)
    return export_json(staff_actions.export_person(services, hetu, MAIJA), NOW)


def test_an_export_lists_both_courses_the_guardian_consent_and_the_invalidated_record(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    invalidated = parent_with_two_courses(world, engine, cipher)
    document = exported(world, engine, cipher, PARENT["hetu"])
    assert document["person"] == {
        "hetu": PARENT["hetu"],
        "first_names": "Maija",
        "last_name": "Mäkinen",
    }
    assert [(c["course_code"], c["state"], c["signer_relation"]) for c in document["consents"]] == [
        (AUTUMN, "valid", "self"),
        (SPRING, "valid", "self"),
    ]
    assert [(r["course_code"], r["grade"]) for r in document["results"]] == [
        (AUTUMN, "Hyväksytty"),
        (SPRING, "Hyväksytty"),
    ]
    records = {s["course_code"]: s for s in document["koski_submissions"]}
    assert records[AUTUMN]["id"] == invalidated
    assert records[AUTUMN]["state"] == "invalidated"
    assert records[SPRING]["state"] == "sent"
    assert records[SPRING]["oid"] is not None
    assert records[SPRING]["sent_at"] == NOW.isoformat()
    trail = [(a["subject_type"], a["subject_id"], a["action"]) for a in document["audit_events"]]
    assert ("submission", invalidated, "submission.invalidate") in trail
    assert ("submission", invalidated, "submission.invalidated") in trail
    [enrolment] = document["enrolments"]
    assert enrolment["role"] == "participant_and_signer"
    assert enrolment["contact"] == {"email": "maija@example.invalid"}
    assert base64.b64decode(enrolment["signed_pdf"]["base64"]) == SIGNED_FORM
    [for_child] = document["signed_for_others"]
    assert for_child["course_code"] == AUTUMN
    assert for_child["participant"] == {
        "name": "Onni Korhonen",
        "hetu": "******" + MINOR["hetu"][6:],  # as lists show it: the date of birth hidden
    }


def test_a_guardian_sees_nothing_of_the_child_beyond_the_consent_they_signed(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    parent_with_two_courses(world, engine, cipher)
    text = json.dumps(exported(world, engine, cipher, PARENT["hetu"]), ensure_ascii=False)
    assert MINOR["hetu"] not in text
    child = exported(world, engine, cipher, MINOR["hetu"])
    child_records = {s["id"] for s in child["koski_submissions"]}
    assert len(child_records) == 1
    parent = exported(world, engine, cipher, PARENT["hetu"])
    assert child_records.isdisjoint(s["id"] for s in parent["koski_submissions"])
    [minor_consent] = child["consents"]
    assert minor_consent["signer_relation"] == "guardian"
    assert minor_consent["signer"] == {
        "name": "Maija Mäkinen",
        "hetu": "******" + PARENT["hetu"][6:],
    }


def test_an_export_is_audited_with_the_staff_member_and_counts_only(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    parent_with_two_courses(world, engine, cipher)
    document = exported(world, engine, cipher, PARENT["hetu"])
    participant_id = SqlLedgerForTests(engine, cipher).find_participant(Hetu(PARENT["hetu"]))
    assert participant_id is not None
    trail = SqlLedgerForTests(engine, cipher).audit_trail("participant", participant_id)
    [entry] = [e for e in trail if e.action == "person.exported"]
    assert entry.actor == "staff:maija"
    assert entry.details == {
        "by": "hetu",
        "found": True,
        "consents": 2,
        "signed_for_others": 1,
        "results": 2,
        "submissions": 2,
        "revocations": 0,
        "enrolments": 1,
        "signed_pdfs": 1,
        "audit_events": len(document["audit_events"]),  # taken before its own entry
    }


def test_the_pdf_lists_the_same_and_carries_the_signed_form(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    parent_with_two_courses(world, engine, cipher)
    services = people_services(world, engine, cipher)
    export = staff_actions.export_person(services, PARENT["hetu"], MAIJA)
    pdf = person_pdf(export, NOW)
    assert pdf.startswith(b"%PDF-")
    [enrolment] = export.enrolments
    assert f"suostumus-{enrolment.id}-{SPRING}.pdf".encode() in pdf  # the embedded file's name
    assert person_pdf(export, NOW) == pdf  # the same ledger, the same document


def test_an_oppijanumero_finds_the_person_without_a_hetu_and_the_lookup_is_audited(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    oid = make_oid()
    amina = OidPerson(Oppijanumero.parse(oid), dt.date(1995, 3, 3), "Amina", "Hassan")
    with Session(engine) as session, session.begin():
        pid = participants.save(session, cipher, amina, NOW)
    services = people_services(world, engine, cipher)
    document = export_json(staff_actions.export_person(services, f"{oid}\n", MAIJA), NOW)
    assert document["found"] is True
    assert document["person"] == {
        "oppijanumero": oid,
        "birth_date": "1995-03-03",
        "first_names": "Amina",
        "last_name": "Hassan",
    }
    nobody = staff_actions.export_person(services, "1.2.246.562.24.00000000001", MAIJA)
    assert nobody.found is False
    with Session(engine) as session:
        audited = session.execute(
            select(AuditRow.subject_id, AuditRow.details)
            .where(AuditRow.action == "person.exported")
            .order_by(AuditRow.id)
        ).all()
    assert [(subject, details["by"], details["found"]) for subject, details in audited] == [
        (pid, "oppijanumero", True),
        (None, "oppijanumero", False),
    ]
    assert oid not in json.dumps([details for _, details in audited])
    with pytest.raises(InvalidHetu):
        staff_actions.export_person(services, "1.2.246.562.10.00000000001", MAIJA)


def test_nobody_held_gives_an_empty_document(
    world: World, engine: Engine, cipher: AesGcmCipher
) -> None:
    document = exported(world, engine, cipher, PARENT["hetu"])
    assert document["found"] is False
    assert document["person"] is None
    assert document["results"] == []


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, engine: Engine) -> None:
    """The commands' environment: the test's database, broker and PII key."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("PII_KEY", f"test:{base64.b64encode(KEY).decode()}")


def test_the_command_reads_the_hetu_from_stdin_and_writes_the_document(
    world: World,
    engine: Engine,
    cipher: AesGcmCipher,
    database: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    parent_with_two_courses(world, engine, cipher)
    out = tmp_path / "export.json"
    monkeypatch.setattr("sys.stdin", io.StringIO(PARENT["hetu"] + "\n"))
    assert main(["person", "export", "--by", "maija", "--out", str(out)]) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["person"]["hetu"] == PARENT["hetu"]
    assert len(document["results"]) == 2
    printed = capsys.readouterr()
    assert PARENT["hetu"] not in printed.out + printed.err


@pytest.mark.parametrize(
    "argv",
    [
        ["person", "export", "--by", "maija", "{hetu}"],
        ["person", "export", "--hetu", "{hetu}", "--by", "maija"],
        ["person", "{hetu}"],
        ["person", "export", "--by", "maija", "--out", "{hetu}.json"],
    ],
)
def test_a_hetu_on_the_command_line_is_refused_and_never_echoed(
    argv: list[str], database: None, capsys: pytest.CaptureFixture[str]
) -> None:
    hetu = PARENT["hetu"]
    assert main([word.format(hetu=hetu) for word in argv]) == 2
    printed = capsys.readouterr()
    assert "standard input" in printed.err
    assert hetu not in printed.out + printed.err
    assert hetu[:6] not in printed.out + printed.err


def test_a_command_that_does_not_parse_quotes_nothing_back(
    database: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["person", "export", "--by", "maija", "--colour", "Aino Virtanen"])
    assert stopped.value.code == 2
    assert "Aino" not in capsys.readouterr().err


def test_the_command_looks_a_person_up_by_oppijanumero_and_says_when_nothing_is_held(
    database: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("1.2.246.562.24.00000000001\n"))
    assert main(["person", "export", "--by", "maija"]) == 0
    captured = capsys.readouterr()
    assert "nothing is held" in captured.err
    assert json.loads(captured.out)["found"] is False
