"""Strict JSON: every hostile document is a StrictJsonError that quotes nothing from it."""

from __future__ import annotations

import pytest

from consent.strict_json import MAX_DEPTH, MAX_INTEGER_DIGITS, StrictJsonError, loads_strict

SECRETISH = "QUOTED"  # a marker: no error message may carry it


@pytest.mark.parametrize(
    "body",
    [
        b'{"n": 1' + b"0" * 5000 + b', "x": "QUOTED"}',
        b'{"n": -1' + b"0" * 5000 + b', "x": "QUOTED"}',
        b'{"n": 1' + b"0" * MAX_INTEGER_DIGITS + b', "x": "QUOTED"}',
    ],
)
def test_an_integer_with_too_many_digits_is_refused(body: bytes) -> None:
    with pytest.raises(StrictJsonError, match="digits") as refused:
        loads_strict(body)
    assert SECRETISH not in str(refused.value)


def test_an_integer_of_the_allowed_length_is_kept() -> None:
    digits = "9" * MAX_INTEGER_DIGITS
    assert loads_strict(f'{{"n": -{digits}}}'.encode()) == {"n": -int(digits)}


@pytest.mark.parametrize("number", [b"1e400", b"-1e400", b"1" + b"0" * 400 + b".0"])
def test_a_number_too_large_for_a_float_is_refused(number: bytes) -> None:
    with pytest.raises(StrictJsonError, match="too large"):
        loads_strict(b'{"n": ' + number + b"}")


def test_an_ordinary_float_is_kept() -> None:
    assert loads_strict(b'{"n": 1.5e3}') == {"n": 1500.0}


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "QUOTED\\ud800"}',
        b'{"QUOTED\\udfff": 1}',
        b'["QUOTED", ["\\ud83d"]]',
        b'"\\ude00QUOTED"',
        b'{"a": {"b": [{"QUOTED": "x\\udc00y"}]}}',
    ],
)
def test_a_lone_surrogate_in_a_key_or_a_value_is_refused(body: bytes) -> None:
    with pytest.raises(StrictJsonError, match="lone surrogate") as refused:
        loads_strict(body)
    assert SECRETISH not in str(refused.value)


def test_a_surrogate_pair_is_one_character_and_is_kept() -> None:
    assert loads_strict(b'{"name": "\\ud83d\\ude00"}') == {"name": "\U0001f600"}


@pytest.mark.parametrize("body", [b'{"name": "QUOTED\\u0000"}', b'{"QUOTED\\u0000": 1}'])
def test_a_nul_character_is_refused_since_no_database_text_can_hold_it(body: bytes) -> None:
    with pytest.raises(StrictJsonError, match="NUL") as refused:
        loads_strict(body)
    assert SECRETISH not in str(refused.value)


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b'{"QUOTED": "x\x00"}', "malformed"), (b'{"QUOTED": "\xed\xa0\x80"}', "UTF-8")],
    ids=["a NUL as it stands", "a surrogate in UTF-8"],
)
def test_a_nul_or_a_surrogate_without_an_escape_is_refused_too(body: bytes, reason: str) -> None:
    with pytest.raises(StrictJsonError, match=reason) as refused:
        loads_strict(body)
    assert SECRETISH not in str(refused.value)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 900, 100_000])
def test_nesting_deeper_than_the_limit_is_refused(depth: int) -> None:
    with pytest.raises(StrictJsonError, match="nested"):
        loads_strict(b"[" * depth + b"]" * depth)


def test_nesting_of_objects_deeper_than_the_limit_is_refused() -> None:
    body = b'{"a": ' * (MAX_DEPTH + 1) + b"{}" + b"}" * (MAX_DEPTH + 1)
    with pytest.raises(StrictJsonError, match="nested"):
        loads_strict(body)


def test_nesting_up_to_the_limit_is_kept() -> None:
    assert loads_strict(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) is not None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"a": 1, "a": 2}', "duplicate"),
        (b'{"n": NaN}', "NaN"),
        (b"\xff", "UTF-8"),
        (b'{"QUOTED"', "malformed"),
    ],
)
def test_what_was_refused_before_is_still_refused(body: bytes, reason: str) -> None:
    with pytest.raises(StrictJsonError, match=reason) as refused:
        loads_strict(body)
    assert SECRETISH not in str(refused.value)
