"""A course's signing read from SQL (SQLite, PostgreSQL): typed rows from one statement."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.enrolments import SqlEnrolments
from consent.enrolment_views import EnrolmentStatus, enrolment_json
from consent.enrolments import EnrolmentRow, EnrolmentState, Invited
from consent.hetu import Hetu
from consent.model import Person
from consent.views import MASK
from tests.hetus import make_hetu
from tests.integration.test_status import counted_statements

NOW = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)
COURSE = "knoppi-2026-syksy"
URL = "https://sign.example/invitation/1"


def _row(hetu: str, guardian: str | None = None) -> EnrolmentRow:
    participant = Person(Hetu(hetu), "Aino", "Virtanen")
    signer = participant if guardian is None else Person(Hetu(guardian), "Maija", "Virtanen")
    return EnrolmentRow(participant, signer, {"email": "aino@example.fi"})


def _store(engine: Engine, cipher: AesGcmCipher, rows: list[EnrolmentRow]) -> SqlEnrolments:
    store = SqlEnrolments(engine, cipher, lambda: NOW)
    store.enrol(COURSE, rows, NOW + dt.timedelta(days=30), "test")
    return store


def test_a_course_of_200_enrolments_is_read_in_a_bounded_number_of_statements(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    hetus = [make_hetu(dt.date(1980, 1, 1), n) for n in range(1, 201)]
    store = _store(engine, cipher, [_row(h) for h in hetus])
    with counted_statements(engine) as statements:
        rows = store.course_enrolments(COURSE)
    assert len(rows) == 200
    assert len(statements) <= 1  # the enrolments joined with their participants
    assert [r.participant.hetu for r in rows[:2]] == [MASK + h[6:] for h in hetus[:2]]


def test_the_listing_says_who_signs_and_gives_the_link_while_the_signer_is_invited(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    adult = make_hetu(dt.date(1990, 5, 5))
    minor, guardian = make_hetu(dt.date(2011, 4, 4)), make_hetu(dt.date(1980, 2, 2))
    store = _store(engine, cipher, [_row(adult), _row(minor, guardian)])
    store.record(2, Invited("inv-2", URL, NOW))
    first, second = store.course_enrolments(COURSE)
    assert (first.guardian_signs, first.state, first.waiting) == (False, EnrolmentState.NEW, False)
    assert (second.guardian_signs, second.waiting) == (True, True)
    assert enrolment_json(second) == {
        "enrolment_id": 2,
        "participant": MASK + minor[6:],
        "guardian_signs": True,
        "state": "invited",
        "signing_url": URL,
        "outcome_reason": None,
        "event_posted": False,
        "signed_pdf": False,
    }
    assert list(enrolment_json(second)) == list(EnrolmentStatus.__dataclass_fields__)
    assert store.course_enrolments("other-course") == []
