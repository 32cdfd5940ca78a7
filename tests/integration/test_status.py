"""A course's status read from SQL (SQLite, PostgreSQL): typed rows from one query set."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event

from consent import binding
from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql.courses import SqlCourses
from consent.adapters.sql.ledger import SqlLedger
from consent.adapters.sql.results import SqlResults
from consent.adapters.sql.status import SqlStatus
from consent.errors import UnknownCourse
from consent.hetu import Hetu
from consent.model import ConsentState, InboxDelivery
from consent.results import ImportedResult, ResultStatus
from consent.views import NO_RESULT
from tests.courses import course
from tests.hetus import make_hetu
from tests.signing import body_of, person
from tests.signing import event as consent_event

NOW = dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC)
COURSE = "knoppi-2026-syksy"
ADULT = person(dt.date(1990, 5, 5), "Aino", "Virtanen")


@contextmanager
def counted_statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine runs inside the block."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _results(hetus: list[str]) -> list[ImportedResult]:
    return [
        ImportedResult(
            n, Hetu(h), "Etu", "Suku", "hyväksytty", NOW.date(), ResultStatus.COMPLETED, {}
        )
        for n, h in enumerate(hetus, start=1)
    ]


def _consent(
    engine: Engine, cipher: AesGcmCipher, member: dict[str, str], at: str = "2026-09-01T08:15:00Z"
) -> None:
    ledger = SqlLedger(engine, cipher, lambda: NOW)
    document = consent_event(member, member, at=at)
    delivery = InboxDelivery(
        "signing", "m1", 1, "v1,x", "k", document["type"], body_of(document), NOW
    )
    binding.bind_consent(ledger.store_delivery(delivery).inbox_id, ledger, lambda: NOW)


@pytest.fixture
def store(engine: Engine, cipher: AesGcmCipher) -> SqlResults:
    SqlCourses(engine, lambda: NOW).save_course(course(end_date="2026-12-15"), "test")
    return SqlResults(engine, cipher, lambda: NOW)


def test_a_course_of_200_participants_is_read_in_a_bounded_number_of_statements(
    engine: Engine, cipher: AesGcmCipher, store: SqlResults
) -> None:
    _consent(engine, cipher, ADULT)
    hetus = [ADULT["hetu"], *(make_hetu(dt.date(1980, 1, 1), n) for n in range(2, 201))]
    store.store_results(COURSE, _results(hetus), "test")
    with counted_statements(engine) as statements:
        rows = SqlStatus(engine, cipher).course_status(COURSE)
    assert len(rows) == 200
    assert len(statements) <= 3  # the course, then its results with all they join to
    assert rows[0].consent is not None
    assert rows[0].consent.state is ConsentState.VALID


def test_one_person_asked_for_by_hetu_is_shown_in_full_and_alone(
    engine: Engine, cipher: AesGcmCipher, store: SqlResults
) -> None:
    other = make_hetu(dt.date(1985, 3, 3))
    store.store_results(COURSE, _results([ADULT["hetu"], other]), "test")
    [row] = SqlStatus(engine, cipher).course_status(COURSE, Hetu(ADULT["hetu"]))
    assert (row.participant.hetu, row.participant.name) == (ADULT["hetu"], "Etu Suku")
    masked = SqlStatus(engine, cipher).course_status(COURSE)
    assert [r.participant.hetu for r in masked] == [
        "******" + ADULT["hetu"][6:],
        "******" + other[6:],
    ]


def test_a_hetu_without_a_result_on_the_course_finds_nobody(
    engine: Engine, cipher: AesGcmCipher, store: SqlResults
) -> None:
    store.store_results(COURSE, _results([ADULT["hetu"]]), "test")
    stranger = Hetu(make_hetu(dt.date(1975, 7, 7)))
    assert SqlStatus(engine, cipher).course_status(COURSE, stranger) == []


def test_an_unknown_course_has_no_status(engine: Engine, cipher: AesGcmCipher) -> None:
    with pytest.raises(UnknownCourse):
        SqlStatus(engine, cipher).course_status("nope")


def test_a_consent_with_no_result_yet_is_listed_after_the_results_for_the_trainer_to_assess(
    engine: Engine, cipher: AesGcmCipher, store: SqlResults
) -> None:
    other = make_hetu(dt.date(1985, 3, 3))
    _consent(engine, cipher, ADULT)
    store.store_results(COURSE, _results([other]), "test")
    first, waiting = SqlStatus(engine, cipher).course_status(COURSE)
    assert first.participant.hetu == "******" + other[6:]
    assert (waiting.result_id, waiting.result, waiting.binding) == (None, None, NO_RESULT)
    assert waiting.participant.hetu == "******" + ADULT["hetu"][6:]
    assert waiting.consent is not None
    assert waiting.consent.state is ConsentState.VALID
    [found] = SqlStatus(engine, cipher).course_status(COURSE, Hetu(ADULT["hetu"]))
    assert (found.participant.name, found.result) == ("Aino Virtanen", None)


def test_a_consent_listed_once_its_result_is_imported_is_one_row_with_both(
    engine: Engine, cipher: AesGcmCipher, store: SqlResults
) -> None:
    _consent(engine, cipher, ADULT)
    store.store_results(COURSE, _results([ADULT["hetu"]]), "test")
    [row] = SqlStatus(engine, cipher).course_status(COURSE)
    assert row.result is not None
    assert row.consent is not None


def test_a_consent_signed_after_the_course_ended_is_accepted_and_flagged(
    engine: Engine, cipher: AesGcmCipher, store: SqlResults
) -> None:
    _consent(engine, cipher, ADULT, at="2026-12-16T08:00:00Z")  # the course ended 15.12.
    [row] = SqlStatus(engine, cipher).course_status(COURSE)
    assert row.consent is not None
    assert (row.consent.state, row.consent.signed_after_end) == (ConsentState.VALID, True)


def test_a_consent_signed_before_the_course_ended_is_not_flagged(
    engine: Engine, cipher: AesGcmCipher, store: SqlResults
) -> None:
    _consent(engine, cipher, ADULT)
    [row] = SqlStatus(engine, cipher).course_status(COURSE)
    assert row.consent is not None
    assert not row.consent.signed_after_end
