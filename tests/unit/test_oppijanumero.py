"""The oppijanumero: KOSKI's shape, the production node's check digit, never printed."""

from __future__ import annotations

import pickle

import pytest

from consent import oppijanumero
from consent.errors import InvalidOppijanumero
from consent.oppijanumero import Oppijanumero
from tests.oids import make_oid


def test_a_real_looking_production_oid_is_accepted() -> None:
    # koski.md §5 names this one as carrying a correct check digit.
    assert Oppijanumero.parse(" 1.2.246.562.24.91377095207 ").reveal() == (
        "1.2.246.562.24.91377095207"
    )


def test_a_generated_oid_is_accepted_and_equal_to_itself() -> None:
    oid = make_oid()
    assert Oppijanumero.parse(oid) == Oppijanumero.parse(oid)


def test_a_mistyped_last_digit_is_refused_on_the_production_node() -> None:
    with pytest.raises(InvalidOppijanumero) as refused:
        Oppijanumero.parse("1.2.246.562.24.91377095208")
    assert refused.value.reason == oppijanumero.OID_BAD_CHECK


def test_koski_test_environment_oids_are_checked_for_their_shape_only() -> None:
    assert Oppijanumero.parse("1.2.246.562.98.00000000001").reveal().endswith("01")


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1.2.246.562.24.9137709520",  # ten digits
        "1.2.246.562.24.913770952071",  # twelve
        "1.2.246.562.10.31915273374",  # an organisation
        "1.2.246.562.15.82898400641",  # a study right
        "010190-123A",
        "1.2.246.562.24.9137709520x",
    ],
)
def test_anything_but_a_person_oid_is_refused_as_malformed(raw: str) -> None:
    with pytest.raises(InvalidOppijanumero) as refused:
        Oppijanumero.parse(raw)
    assert refused.value.reason == oppijanumero.OID_MALFORMED
    assert not raw or raw not in str(refused.value)  # the input is never echoed


def test_an_oid_never_shows_in_its_repr_nor_travels_in_a_pickle() -> None:
    oid = Oppijanumero.parse(make_oid())
    assert oid.reveal() not in f"{oid} {oid!r}"
    with pytest.raises(TypeError):
        pickle.dumps(oid)
