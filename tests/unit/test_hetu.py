"""The henkilötunnus value type: validation, age, and never showing the number."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consent import hetu as h
from consent.errors import InvalidHetu
from consent.hetu import Hetu, redact_hetus
from tests.hetus import CHECK_CHARACTERS, make_hetu

TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("sign", "year"),
    [
        ("+", 1899),
        ("-", 1999),
        ("Y", 1999),
        ("X", 1999),
        ("W", 1999),
        ("V", 1999),
        ("U", 1999),
        ("A", 2009),
        ("B", 2009),
        ("C", 2009),
        ("D", 2009),
        ("E", 2009),
        ("F", 2009),
    ],
)
def test_every_century_sign_gives_its_century(sign: str, year: int) -> None:
    born = dt.date(year, 3, 14)
    assert Hetu.parse(make_hetu(born, 123, sign), today=TODAY).birth_date == born


def test_a_wrong_check_character_is_refused_with_that_reason() -> None:
    good = make_hetu(dt.date(1980, 5, 17), 234)
    wrong = CHECK_CHARACTERS[(CHECK_CHARACTERS.index(good[-1]) + 1) % 31]
    with pytest.raises(InvalidHetu) as caught:
        Hetu.parse(good[:-1] + wrong, today=TODAY)
    assert caught.value.reason == h.HETU_BAD_CHECK


@pytest.mark.parametrize(
    "raw", ["310280-123X", "300280-123X", "290281-123X", "311180-123X", "001080-123X"]
)
def test_a_day_the_calendar_lacks_is_refused(raw: str) -> None:
    # The check character of a non-date is beside the point: the date is checked as a date.
    fixed = raw[:-1] + CHECK_CHARACTERS[int(raw[:6] + raw[7:10]) % 31]
    with pytest.raises(InvalidHetu) as caught:
        Hetu.parse(fixed, today=TODAY)
    assert caught.value.reason == h.HETU_BAD_DATE


def test_29_february_exists_in_a_leap_year() -> None:
    assert Hetu.parse(make_hetu(dt.date(2008, 2, 29)), today=TODAY).birth_date == dt.date(
        2008, 2, 29
    )


def test_a_birth_date_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidHetu) as caught:
        Hetu.parse(make_hetu(TODAY + dt.timedelta(days=1)), today=TODAY)
    assert caught.value.reason == h.HETU_FUTURE


def test_someone_born_today_is_valid() -> None:
    assert Hetu.parse(make_hetu(TODAY), today=TODAY).age_on(TODAY) == 0


@pytest.mark.parametrize("individual", [900, 950, 999])
def test_temporary_numbers_are_refused_unless_allowed(individual: int) -> None:
    raw = make_hetu(dt.date(1990, 1, 1), individual)
    with pytest.raises(InvalidHetu) as caught:
        Hetu.parse(raw, today=TODAY)
    assert caught.value.reason == h.HETU_TEMPORARY
    assert Hetu.parse(raw, today=TODAY, allow_temporary=True).is_temporary


@pytest.mark.parametrize("individual", [0, 1])
def test_individual_numbers_below_002_are_refused(individual: int) -> None:
    with pytest.raises(InvalidHetu) as caught:
        Hetu.parse(make_hetu(dt.date(1990, 1, 1), individual), today=TODAY)
    assert caught.value.reason == h.HETU_BAD_INDIVIDUAL


@pytest.mark.parametrize(
    "raw", ["", "131052308T", "131052-308", "131052-3O8T", "131052*308T", "x" * 500]
)
def test_malformed_input_is_refused_as_malformed(raw: str) -> None:
    with pytest.raises(InvalidHetu) as caught:
        Hetu.parse(raw, today=TODAY)
    assert caught.value.reason == h.HETU_MALFORMED


def test_lower_case_and_surrounding_space_are_normalised() -> None:
    raw = make_hetu(dt.date(2010, 6, 1), 345)
    assert Hetu.parse(f"  {raw.lower()} ", today=TODAY).reveal() == raw


def test_age_turns_on_the_birthday() -> None:
    hetu = Hetu.parse(make_hetu(dt.date(2008, 9, 1)), today=TODAY)
    assert hetu.age_on(dt.date(2026, 8, 31)) == 17
    assert hetu.is_minor_on(dt.date(2026, 8, 31))
    assert hetu.age_on(dt.date(2026, 9, 1)) == 18
    assert not hetu.is_minor_on(dt.date(2026, 9, 1))


def test_someone_born_on_29_february_comes_of_age_on_28_february() -> None:
    hetu = Hetu.parse(make_hetu(dt.date(2008, 2, 29)), today=TODAY)
    assert hetu.is_minor_on(dt.date(2026, 2, 27))
    assert not hetu.is_minor_on(dt.date(2026, 2, 28))


def test_the_number_never_shows_in_repr_str_or_format() -> None:
    raw = make_hetu(dt.date(1975, 12, 24))
    hetu = Hetu.parse(raw, today=TODAY)
    old_style = "%s" % (hetu,)  # noqa: UP031 - the old way must hide it too
    for shown in (repr(hetu), str(hetu), f"{hetu}", f"{hetu!r}", old_style, repr([hetu])):
        assert raw not in shown
        assert raw[:6] not in shown


def test_a_hetu_cannot_be_pickled_into_a_job_or_cache() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(Hetu.parse(make_hetu(dt.date(1975, 12, 24)), today=TODAY))


def test_equal_numbers_are_equal_values() -> None:
    raw = make_hetu(dt.date(1999, 1, 2))
    assert Hetu.parse(raw, today=TODAY) == Hetu.parse(raw.lower(), today=TODAY)
    assert len({Hetu.parse(raw, today=TODAY), Hetu.parse(raw, today=TODAY)}) == 1


def test_redaction_replaces_every_hetu_in_text() -> None:
    first, second = make_hetu(dt.date(1950, 1, 1)), make_hetu(dt.date(2012, 7, 7))
    text = f"a={first}, b={second}; id=1234567"
    assert redact_hetus(text) == "a=[hetu], b=[hetu]; id=1234567"


dates = st.dates(min_value=dt.date(1800, 1, 1), max_value=TODAY)


@given(born=dates, individual=st.integers(2, 899))
def test_any_generated_hetu_parses_back_to_its_birth_date(born: dt.date, individual: int) -> None:
    raw = make_hetu(born, individual)
    hetu = Hetu.parse(raw, today=TODAY)
    assert hetu.birth_date == born
    assert hetu.reveal() == raw
    assert raw not in repr(hetu)


REASONS = {
    h.HETU_MALFORMED,
    h.HETU_BAD_DATE,
    h.HETU_BAD_CHECK,
    h.HETU_TEMPORARY,
    h.HETU_FUTURE,
    h.HETU_BAD_INDIVIDUAL,
}


@given(raw=st.text(max_size=40))
def test_any_text_either_parses_or_is_refused_without_echoing_it(raw: str) -> None:
    try:
        Hetu.parse(raw, today=TODAY)
    except InvalidHetu as error:
        refused = error
    else:
        return
    assert refused.reason in REASONS
    assert str(refused) == f"invalid henkilötunnus: {refused.reason}"  # nothing of the input
