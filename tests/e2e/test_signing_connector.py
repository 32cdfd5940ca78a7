"""Staff enrol an adult, a minor with a guardian and one more; Visma Sign (the sandbox) invites
the right signers; signing as the wrong person fails; once signed, the connector posts signed
consent events to our own webhook and the worker binds them. A declined invitation ends as no
consent. Every step runs again without posting anything twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy import Engine, text

from cli.main import main
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.queues import RqJobQueue
from consent.adapters.sql.enrolments import SqlEnrolments
from consent.adapters.sql.ledger import utc_now
from consent.bootstrap import worker_services
from consent.config import Settings
from consent.enrolment_views import enrolment_json
from consent.hetu import HETU_PATTERN
from tests.e2e.connector_stack import connector_stack
from tests.signing import person
from tests.vismasign_server import RunningVismaSign
from workers.sweeper import sweep
from workers.worker import build_worker

ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")
MINOR = person(dt.date(2011, 4, 4), "Onni", "Korhonen")
GUARDIAN = person(dt.date(1980, 2, 2), "Maija", "Korhonen")
DECLINER = person(dt.date(1970, 1, 1), "Eero", "Esimerkki")
COURSE = "eratauko-2026"


@pytest.fixture
def stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, redis_client: redis.Redis
) -> Iterator[tuple[str, RunningVismaSign, Engine]]:
    """Web on loopback (the connector posts to it), the Visma Sign sandbox, env as in production."""
    with connector_stack(tmp_path, monkeypatch) as running:
        yield running.url, running.visma, running.engine


def work() -> None:
    build_worker(Settings.from_env()).work(burst=True)


def enrolment_file(tmp_path: Path) -> Path:
    path = tmp_path / "osallistujat.csv"
    header = (
        "hetu,first_names,last_name,email,"
        "guardian_hetu,guardian_first_names,guardian_last_name,guardian_email"
    )
    rows = [
        f"{ADULT['hetu']},Aino,Virtanen,aino@example.fi,,,,",
        f"{MINOR['hetu']},Onni,Korhonen,,{GUARDIAN['hetu']},Maija,Korhonen,maija@example.fi",
        f"{DECLINER['hetu']},Eero,Esimerkki,eero@example.fi,,,,",
    ]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def invitations(visma: RunningVismaSign) -> list[str]:
    return [d["invitations"][0]["uuid"] for d in visma.documents()]


def consents(engine: Engine) -> list[tuple[str, str | None]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT state, signer_relation FROM consents ORDER BY id"))
        return [(str(state), relation) for state, relation in rows]


def test_enrolled_people_sign_through_visma_sign_and_their_consents_are_bound_once(
    stack: tuple[str, RunningVismaSign, Engine],
    tmp_path: Path,
    redis_client: redis.Redis,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, visma, engine = stack
    assert main(["signing", "enrol", COURSE, str(enrolment_file(tmp_path))]) == 0
    assert "3 enrolled" in capsys.readouterr().out
    assert sweep(worker_services())["invitations"] == 3  # the sweeper would queue them too
    work()  # documents, forms and invitations
    documents = visma.documents()
    assert [d["status"] for d in documents] == ["pending"] * 3
    adult, minor, decliner = invitations(visma)

    assert visma.sign(minor, MINOR["hetu"]).status_code == 403  # the minor alone cannot
    assert visma.sign(adult, GUARDIAN["hetu"]).status_code == 403  # nor someone else
    signed = visma.sign(adult, ADULT["hetu"])
    assert signed.status_code in (200, 303)
    assert visma.sign(minor, GUARDIAN["hetu"]).status_code in (200, 303)
    visma.decline(decliner)

    returned = requests.get(f"{url}/signing/return?document={documents[0]['uuid']}", timeout=10)
    assert returned.status_code == 200  # a hint only: the connector asks Visma Sign itself
    jobs = RqJobQueue(redis_client)
    for enrolment_id in (2, 3):
        jobs.enqueue_signing_check(enrolment_id)
    work()  # outcomes learned, events posted, consents bound

    assert consents(engine) == [("valid", "self"), ("valid", "guardian"), ("cancelled", None)]
    store = SqlEnrolments(engine, AesGcmCipher(Settings.from_env().pii_keys), utc_now)
    listing = [enrolment_json(row) for row in store.course_enrolments(COURSE)]
    assert [(r["state"], r["event_posted"], r["signed_pdf"]) for r in listing] == [
        ("signed", True, True),
        ("signed", True, True),
        ("cancelled", True, False),
    ]
    pdf = store.signed_pdf(1)
    assert pdf is not None
    assert pdf.startswith(b"%PDF-")
    assert b"vst-sandbox signature" in pdf

    for enrolment_id in (1, 2, 3):  # a repeated check (a crash, a second return) posts nothing
        jobs.enqueue_signing_check(enrolment_id)
    work()
    with engine.connect() as connection:
        deliveries = connection.execute(text("SELECT COUNT(*) FROM webhook_inbox")).scalar_one()
    assert deliveries == 3

    assert main(["signing", "status", COURSE]) == 0
    shown = capsys.readouterr().out
    assert shown.count("event posted") == 3
    assert not HETU_PATTERN.search(shown)


def test_an_enrolment_file_with_a_minor_and_no_guardian_enrols_nobody(
    stack: tuple[str, RunningVismaSign, Engine],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, visma, engine = stack
    path = tmp_path / "osallistujat.csv"
    path.write_text(
        "hetu,first_names,last_name\n"
        f"{ADULT['hetu']},Aino,Virtanen\n"
        f"{MINOR['hetu']},Onni,Korhonen\n",
        encoding="utf-8",
    )
    assert main(["signing", "enrol", COURSE, str(path)]) == 1
    error = capsys.readouterr().err
    assert "row 2: guardian_hetu is required for a participant under 18" in error
    assert not HETU_PATTERN.search(error)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM enrolments")).scalar_one() == 0
    assert visma.documents() == []
