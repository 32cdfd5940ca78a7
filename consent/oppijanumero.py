"""KOSKI's oppijanumero (the person oid, ``1.2.246.562.24.…``) as a value type, for a person
who has no Finnish hetu.

KOSKI checks only the shape (``^1\\.2\\.246\\.562\\.(24|98|198)\\.\\d{11}$``; 24 is production,
98 and 198 are the test environments' people) and answers 404 for an oid it does not know.
We also check the last digit on node 24, which OPH's oid generator makes with the "IBM 7-3-1"
check of the Finnish bank reference (viitenumero): staff type these numbers from paper, and a
mistyped one could be another real person's. The test nodes are KOSKI's own fixtures, made
without a check digit, so only their shape is checked.

An oid is personal data: like :class:`consent.hetu.Hetu`, it never shows in ``repr``.
"""

from __future__ import annotations

import re
from typing import Final

from consent.errors import InvalidOppijanumero

OID_MALFORMED: Final = "not of the form 1.2.246.562.24. and 11 digits"
OID_BAD_CHECK: Final = "wrong check digit"

_SHAPE: Final = re.compile(r"1\.2\.246\.562\.(24|98|198)\.(\d{11})", re.ASCII)
# A person oid anywhere in a text (KOSKI's messages name the oid they did not find); the
# oids of organisations (.10.) and study rights (.15.) are not personal and are kept.
_IN_TEXT: Final = re.compile(r"1\.2\.246\.562\.(?:24|98|198)\.\d+", re.ASCII)
_PRODUCTION: Final = "24"
_WEIGHTS: Final = (7, 3, 1)


class Oppijanumero:
    """A validated person oid. Compare and hash it freely; print it never."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        """Wrap an already validated value; use :meth:`parse` for input."""
        self._value = value

    @classmethod
    def parse(cls, raw: object) -> Oppijanumero:
        """Validate ``raw`` (surrounding spaces allowed) or raise :class:`InvalidOppijanumero`."""
        if not isinstance(raw, str) or len(raw) > 64:
            raise InvalidOppijanumero(OID_MALFORMED)
        value = raw.strip()
        match = _SHAPE.fullmatch(value)
        if match is None:
            raise InvalidOppijanumero(OID_MALFORMED)
        node, number = match.groups()
        if node == _PRODUCTION and check_digit(number[:-1]) != int(number[-1]):
            raise InvalidOppijanumero(OID_BAD_CHECK)
        return cls(value)

    def reveal(self) -> str:
        """Return the oid itself, for sealing it or sending it to KOSKI."""
        return self._value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Oppijanumero) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Oppijanumero", self._value))

    def __repr__(self) -> str:
        return "Oppijanumero(<redacted>)"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("Oppijanumero is not picklable; store it sealed")


def check_digit(digits: str) -> int:
    """The IBM 7-3-1 check digit of ``digits``: weights 7, 3, 1 from the right, and the
    difference of the sum to the next multiple of ten."""
    total = sum(
        int(digit) * _WEIGHTS[position % 3] for position, digit in enumerate(reversed(digits))
    )
    return (10 - total % 10) % 10


def looks_like_oid(text: str) -> bool:
    """Whether ``text`` is shaped like a person oid (the start of one), to tell it from a hetu
    on input that may be either."""
    return text.strip().startswith("1.2.246.562.")


def redact_oids(text: str) -> str:
    """Replace every person oid in ``text`` with a placeholder, as
    :func:`consent.hetu.redact_hetus` does hetus: what KOSKI answered is kept for staff, and
    shown to every role, but a person's number is not."""
    return _IN_TEXT.sub("[oppijanumero]", text)
