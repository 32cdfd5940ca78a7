"""The connector's steps with in-memory fakes: each resumes after a crash at any point without
a second document, invitation or event, and an unsigned invitation expires into a cancellation."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from consent import connector
from consent.connector import check_enrolment_rows
from consent.enrolments import (
    Cancelled,
    Checked,
    DocumentCreated,
    Enrolment,
    EnrolmentChange,
    EnrolmentState,
    EventPosted,
    FormAttached,
    InvitationMade,
    Invited,
    Signed,
    state_after,
)
from consent.hetu import Hetu
from consent.import_files import ImportRejected
from consent.model import Person
from consent.ports import DocumentState
from tests.hetus import make_hetu

NOW = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
ADULT = Person(Hetu(make_hetu(dt.date(1990, 5, 5))), "Aino", "Virtanen")


class Crash(Exception):
    """Stands for the process dying at this point."""


class FakeEnrolments:
    """One enrolment in memory; ``values`` holds every field of every change recorded."""

    def __init__(self, enrolment: Enrolment, crash_on: type[object] | None = None) -> None:
        self.enrolment = enrolment
        self.crash_on = crash_on
        self.pdfs: list[bytes] = []
        self.values: dict[str, Any] = {}

    def get(self, enrolment_id: int) -> Enrolment:
        return self.enrolment

    def record(self, enrolment_id: int, change: EnrolmentChange) -> None:
        if self.crash_on is not None and isinstance(change, self.crash_on):
            self.crash_on = None  # crashes once, before the write
            raise Crash(change)
        self.values |= {f.name: getattr(change, f.name) for f in dataclasses.fields(change)}
        self.enrolment = _progressed(self.enrolment, change)

    def keep_signed_pdf(self, enrolment_id: int, pdf: bytes) -> None:
        self.pdfs.append(pdf)


def _progressed(e: Enrolment, change: EnrolmentChange) -> Enrolment:
    """The enrolment as the store would give it back after ``change``."""
    fields: dict[str, Any] = {"state": state_after(change) or e.state}
    match change:
        case DocumentCreated(document=document):
            fields["document"] = document
        case FormAttached():
            fields["file_added"] = True
        case InvitationMade(invitation=invitation) | Invited(invitation=invitation):
            fields["invitation"] = invitation
        case Checked(checks=checks):
            fields["checks"] = checks
        case Signed(outcome_at=at) | Cancelled(outcome_at=at):
            fields["outcome_at"] = at
        case EventPosted():
            fields["event_posted"] = True
    return dataclasses.replace(e, **fields)


class FakeVisma:
    def __init__(self) -> None:
        self.documents: dict[str, str] = {}
        self.invitations: dict[str, dict[str, str]] = {}
        self.files: dict[str, int] = {}
        self.cancelled: list[str] = []

    def create_document(self, name: str) -> str:
        uuid = f"doc-{len(self.documents) + 1}"
        self.documents[uuid] = "new"
        self.invitations[uuid] = {}
        return uuid

    def add_file(self, document: str, pdf: bytes) -> None:
        self.files[document] = self.files.get(document, 0) + 1

    def invite(self, document: str, signer_hetu: str, contact: dict[str, str]) -> str:
        invitation = f"inv-{document}-{len(self.invitations[document]) + 1}"
        self.invitations[document][invitation] = "new"
        self.documents[document] = "pending"
        return invitation

    def signing_url(self, invitation: str, return_url: str) -> str:
        return f"https://sign.example/{invitation}"

    def status(self, document: str) -> DocumentState:
        files = self.files.get(document, 0)
        return DocumentState(self.documents[document], dict(self.invitations[document]), files)

    def download(self, document: str, index: int = 0) -> bytes:
        return b"%PDF-signed"

    def cancel(self, document: str) -> None:
        self.cancelled.append(document)
        self.documents[document] = "cancelled"


class FakePoster:
    def __init__(self, answers: list[int | None]) -> None:
        self.answers = answers
        self.posted: list[tuple[str, dict[str, object]]] = []

    def __call__(self, event: dict[str, object], webhook_id: str) -> int | None:
        self.posted.append((webhook_id, event))
        return self.answers.pop(0) if self.answers else 202


def enrolment(**changes: Any) -> Enrolment:
    base = Enrolment(
        id=1,
        course_code="eratauko-2026",
        participant=ADULT,
        signer=ADULT,
        contact={"email": "aino@example.fi"},
        state=EnrolmentState.NEW,
        document=None,
        file_added=False,
        invitation=None,
        checks=0,
        expires_at=NOW + dt.timedelta(days=30),
        outcome_at=None,
        event_posted=False,
    )
    return dataclasses.replace(base, **changes)


def posted(store: FakeEnrolments) -> bool:
    return store.enrolment.event_posted


def invite(store: FakeEnrolments, visma: FakeVisma) -> EnrolmentState:
    return connector.invite(1, store, visma, lambda _e: b"%PDF-form", lambda: NOW, "https://r")


@pytest.mark.parametrize("crash_on", [DocumentCreated, FormAttached, InvitationMade, Invited])
def test_an_invitation_resumed_after_a_crash_makes_one_document_and_one_invitation(
    crash_on: type[object],
) -> None:
    store, visma = FakeEnrolments(enrolment(), crash_on), FakeVisma()
    with pytest.raises(Crash):
        invite(store, visma)
    assert invite(store, visma) is EnrolmentState.INVITED
    invited = [inv for invs in visma.invitations.values() for inv in invs]
    assert len(invited) == 1
    assert store.enrolment.document is not None
    assert invited[0] in visma.invitations[store.enrolment.document]
    assert visma.files == {store.enrolment.document: 1}  # the form is attached once
    assert store.values["next_check_at"] == NOW + dt.timedelta(minutes=1)


def test_a_signed_document_posts_its_event_once_even_after_a_crash_mid_way() -> None:
    visma = FakeVisma()
    store = FakeEnrolments(enrolment(), crash_on=EventPosted)
    invite(store, visma)
    visma.documents["doc-1"] = "signed"
    poster = FakePoster([202])
    with pytest.raises(Crash):  # posted, then died before noting it
        connector.check(1, store, visma, poster, lambda: NOW)
    poster.answers = [200]  # the intake has it already
    assert connector.check(1, store, visma, poster, lambda: NOW) is EnrolmentState.SIGNED
    assert [webhook_id for webhook_id, _ in poster.posted] == ["vs_doc-1_signed"] * 2
    assert store.enrolment.event_posted
    assert store.pdfs == [b"%PDF-signed"]
    connector.check(1, store, visma, poster, lambda: NOW)
    assert len(poster.posted) == 2  # nothing more once the intake confirmed it
    event = poster.posted[0][1]
    assert event["type"] == "consent.signed"
    data = event["data"]
    assert isinstance(data, dict)
    assert data["participant"] == data["signer"]


def test_an_intake_that_is_down_is_tried_again_later() -> None:
    visma, store = FakeVisma(), FakeEnrolments(enrolment())
    invite(store, visma)
    visma.documents["doc-1"] = "cancelled"
    poster = FakePoster([503, None])
    assert connector.check(1, store, visma, poster, lambda: NOW) is EnrolmentState.CANCELLED
    assert not posted(store)
    assert store.values["next_check_at"] == NOW + connector.POST_RETRY
    connector.check(1, store, visma, poster, lambda: NOW)
    connector.check(1, store, visma, poster, lambda: NOW)
    assert posted(store)
    assert [w for w, _ in poster.posted] == ["vs_doc-1_cancelled"] * 3


def test_checks_back_off_and_an_unsigned_invitation_expires_as_a_cancellation() -> None:
    visma, store = FakeVisma(), FakeEnrolments(enrolment(expires_at=NOW + dt.timedelta(hours=2)))
    invite(store, visma)
    poster = FakePoster([])
    waits = []
    for _ in range(4):
        connector.check(1, store, visma, poster, lambda: NOW)
        waits.append(store.values["next_check_at"] - NOW)
    assert waits == [dt.timedelta(minutes=m) for m in (2, 5, 10, 30)]
    later = NOW + dt.timedelta(hours=2)
    assert connector.check(1, store, visma, poster, lambda: later) is EnrolmentState.CANCELLED
    assert visma.cancelled == ["doc-1"]
    assert store.values["outcome_reason"] == "expired"
    assert poster.posted[0][1]["type"] == "consent.cancelled"


def test_a_minor_is_enrolled_with_a_guardian_who_signs_and_an_adult_signs_alone() -> None:
    minor, guardian = make_hetu(dt.date(2011, 4, 4)), make_hetu(dt.date(1980, 2, 2))
    rows = check_enrolment_rows(
        [
            {"hetu": ADULT.hetu.reveal(), "first_names": "Aino", "last_name": "Virtanen"},
            {
                "hetu": minor,
                "first_names": "Onni",
                "last_name": "Korhonen",
                "guardian_hetu": guardian,
                "guardian_first_names": "Maija",
                "guardian_last_name": "Korhonen",
                "guardian_phone": "+358 40 123 4567",
            },
        ],
        TODAY,
    )
    assert rows[0].signer == rows[0].participant
    assert rows[1].signer.hetu.reveal() == guardian
    assert rows[1].contact == {"sms": "+358401234567"}


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ({"guardian_hetu": "x"}, ("guardian_hetu", "is only for a participant under 18")),
        ({"email": "not-an-address"}, ("email", "is not an e-mail address")),
        ({"phone": "040123"}, ("phone", "must be in international form, e.g. +358401234567")),
        ({"last_name": ""}, ("last_name", "is required (at most 200 characters)")),
    ],
)
def test_a_bad_enrolment_row_is_refused_by_field(
    row: dict[str, str], problem: tuple[str, str]
) -> None:
    base = {"hetu": ADULT.hetu.reveal(), "first_names": "Aino", "last_name": "Virtanen"}
    with pytest.raises(ImportRejected) as rejected:
        check_enrolment_rows([base | row], TODAY)
    [error] = rejected.value.errors
    assert (error.row, error.field, error.reason) == (1, *problem)
