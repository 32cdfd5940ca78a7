"""Reading the form staff fill in for a paper consent: each field checked, the first at
fault named, no value quoted; the scanned form must be a PDF."""

from __future__ import annotations

import datetime as dt

import pytest

from consent import recorded_consents
from consent.errors import ConsentNotRecorded
from consent.model import OidPerson, Person
from consent.recorded_consents import SignedBy, check_pdf, read_form, signing_instant
from consent.rules import signing_day
from tests.hetus import make_hetu
from tests.oids import make_oid

TODAY = dt.date(2026, 12, 2)
PDF = b"%PDF-1.7\n...\n%%EOF\n"
HETU = make_hetu(dt.date(2012, 4, 4))


def form(**fields: str) -> dict[str, str]:
    return {"first_names": "Lea", "last_name": "Ali", "signed_on": "1.9.2026", **fields}


def test_a_minor_with_a_hetu_signed_for_by_a_guardian_known_by_name() -> None:
    read = read_form(
        "c",
        form(
            hetu=HETU, signed_by="guardian", guardian_first_names="Sara", guardian_last_name="Ali"
        ),
        PDF,
        today=TODAY,
    )
    assert isinstance(read.participant, Person)
    assert read.signed_by is SignedBy.GUARDIAN
    assert read.guardian is not None
    assert read.guardian.hetu is None
    assert read.signed_on == dt.date(2026, 9, 1)


def test_a_person_without_a_hetu_is_read_with_their_oid_and_birth_date() -> None:
    oid = make_oid()
    read = read_form("c", form(oppijanumero=oid, birth_date="2011-01-01"), PDF, today=TODAY)
    assert isinstance(read.participant, OidPerson)
    assert read.participant.oid.reveal() == oid
    assert read.participant.birth_date == dt.date(2011, 1, 1)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "hetu"),
        ({"hetu": HETU, "oppijanumero": make_oid()}, "oppijanumero"),
        ({"hetu": "010190-1234"}, "hetu"),
        ({"oppijanumero": make_oid(), "birth_date": "31.2.2011"}, "birth_date"),
        ({"oppijanumero": make_oid(), "birth_date": "1.1.2099"}, "birth_date"),
        ({"hetu": HETU, "signed_by": "teacher"}, "signed_by"),
        ({"hetu": HETU, "signed_by": "guardian", "guardian_hetu": "x"}, "guardian_hetu"),
        ({"hetu": HETU, "surname": "x"}, "(form)"),
        ({"hetu": HETU, "signed_on": "eilen"}, "signed_on"),
    ],
    ids=[
        "none",
        "both",
        "bad hetu",
        "no such day",
        "born later",
        "signer",
        "guardian",
        "unknown",
        "day",
    ],
)
def test_a_form_at_fault_names_the_field_and_quotes_nothing(
    fields: dict[str, str], field: str
) -> None:
    with pytest.raises(ConsentNotRecorded) as refused:
        read_form("c", form(**fields), PDF, today=TODAY)
    assert refused.value.field == field
    assert HETU not in str(refused.value)


@pytest.mark.parametrize(
    "pdf",
    [
        b"",
        b"%PDF-1.4 but never ends",
        b"GIF89a%%EOF",
        b"%PDF-" + b"0" * recorded_consents.MAX_PDF_BYTES,
    ],
    ids=["empty", "truncated", "gif", "too large"],
)
def test_only_a_whole_pdf_of_bounded_size_is_a_scanned_form(pdf: bytes) -> None:
    with pytest.raises(ConsentNotRecorded) as refused:
        check_pdf(pdf)
    assert refused.value.field == "pdf"


def test_a_paper_form_is_signed_on_its_day_in_finland_and_never_in_the_future() -> None:
    assert signing_day(signing_instant(dt.date(2026, 9, 1), TODAY)) == dt.date(2026, 9, 1)
    with pytest.raises(ConsentNotRecorded):
        signing_instant(dt.date(2026, 12, 3), TODAY)
