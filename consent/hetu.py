"""The Finnish personal identity code (henkilötunnus) as a value type.

Validation is python-stdnum's (format, every century sign including the 2023 ones,
real calendar date, check character, temporary numbers 900–999); this module adds what
stdnum leaves to the caller: a birth date not in the future, age on a given day, and a
value whose ``repr`` and ``str`` never show the number.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from stdnum import exceptions as stdnum_errors
from stdnum.fi import hetu as stdnum_hetu

from consent.errors import InvalidHetu

HETU_MALFORMED: Final = "malformed"
HETU_BAD_DATE: Final = "not a real birth date"
HETU_BAD_CHECK: Final = "wrong check character"
HETU_TEMPORARY: Final = "temporary number (900-999) not allowed"
HETU_FUTURE: Final = "birth date in the future"
HETU_BAD_INDIVIDUAL: Final = "individual number below 002"

ADULT_AGE: Final = 18

_CENTURIES: Final = {"+": 1800, "-": 1900, "A": 2000}
_CENTURIES.update(dict.fromkeys("YXWVU", 1900))
_CENTURIES.update(dict.fromkeys("BCDEF", 2000))

# Shape only; stdnum owns the real validation. In any case: stdnum accepts a lower-case
# century sign and check character, and so may a library that echoes what it was given.
_SHAPE: Final = r"[0-3]\d[01]\d\d\d[-+A-FYXWVU]\d{3}[0-9A-Y]"

# A hetu standing alone as a value (no letter or digit on either side): what to recognise
# in a field or a token.
HETU_PATTERN: Final = re.compile(
    rf"(?<![0-9A-Za-z]){_SHAPE}(?![0-9A-Za-z])", re.IGNORECASE | re.ASCII
)

# A hetu's shape anywhere, glued to letters or digits too (``id010190-521Fz``): what
# redaction removes and what no code, id or address may contain. Our own identifiers are
# made so they never hold it (letters-only request ids, separators that are no century
# sign); a random hex or UUID holds it now and then (about one UUID in 500), and then loses
# those eleven characters in a log line, which is the price of never logging a glued hetu.
HETU_SHAPE: Final = re.compile(_SHAPE, re.IGNORECASE | re.ASCII)


class Hetu:
    """A validated henkilötunnus. Compare and hash it freely; print it never.

    The number is reachable only through :meth:`reveal`, which the few places that must
    send or seal it call by name.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        """Wrap an already validated, compact value; use :meth:`parse` for input."""
        self._value = value

    @classmethod
    def parse(cls, raw: str, *, today: dt.date, allow_temporary: bool = False) -> Hetu:
        """Validate ``raw`` as of ``today`` or raise :class:`InvalidHetu` with a reason."""
        if not isinstance(raw, str) or len(raw) > 32:
            raise InvalidHetu(HETU_MALFORMED)
        try:
            value = stdnum_hetu.validate(raw, allow_temporary=True)
        except stdnum_errors.InvalidChecksum:
            raise InvalidHetu(HETU_BAD_CHECK) from None
        except stdnum_errors.InvalidComponent:
            raise InvalidHetu(_component_reason(raw)) from None
        except stdnum_errors.ValidationError:
            raise InvalidHetu(HETU_MALFORMED) from None
        hetu = cls(value)
        if hetu.is_temporary and not allow_temporary:
            raise InvalidHetu(HETU_TEMPORARY)
        if hetu.birth_date > today:
            raise InvalidHetu(HETU_FUTURE)
        return hetu

    def reveal(self) -> str:
        """Return the number itself, for sealing it or sending it to KOSKI."""
        return self._value

    @property
    def birth_date(self) -> dt.date:
        """The birth date encoded in the number."""
        v = self._value
        year = _CENTURIES[v[6]] + int(v[4:6])
        return dt.date(year, int(v[2:4]), int(v[0:2]))

    @property
    def is_temporary(self) -> bool:
        """True for the temporary-identifier range 900–999."""
        return int(self._value[7:10]) >= 900

    def age_on(self, day: dt.date) -> int:
        """Full years of age on ``day``.

        Someone born on 29 February comes of age on 28 February in a common year, as
        the Finnish act on reckoning time (150/1930, §4) counts a year ending on a day
        the month lacks on the month's last day.
        """
        return age_on(self.birth_date, day)

    def is_minor_on(self, day: dt.date) -> bool:
        """True if under 18 on ``day``."""
        return self.age_on(day) < ADULT_AGE

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Hetu) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Hetu", self._value))

    def __repr__(self) -> str:
        return "Hetu(<redacted>)"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __copy__(self) -> Hetu:
        return self  # immutable

    def __deepcopy__(self, memo: dict[int, object]) -> Hetu:
        return self  # immutable

    def __reduce__(self) -> tuple[object, ...]:
        # A hetu must not travel through pickles (job arguments, caches) by accident.
        raise TypeError("Hetu is not picklable; store it sealed")


def _component_reason(raw: str) -> str:
    """Say which component stdnum refused: the individual number or the date."""
    individual = stdnum_hetu.compact(raw)[7:10]
    return HETU_BAD_INDIVIDUAL if int(individual) < 2 else HETU_BAD_DATE


def age_on(born: dt.date, day: dt.date) -> int:
    """Full years of age on ``day`` of someone born on ``born`` (see :meth:`Hetu.age_on`);
    also for a person without a hetu, whose birth date staff recorded."""
    years = day.year - born.year
    return years if day >= _anniversary(born, day.year) else years - 1


def _anniversary(born: dt.date, year: int) -> dt.date:
    """The day in ``year`` on which someone born on ``born`` gains a year of age."""
    try:
        return born.replace(year=year)
    except ValueError:  # 29 February in a common year
        return dt.date(year, 2, 28)


def hetus_in(text: str) -> set[str]:
    """Every hetu ``text`` holds, upper-cased: its shape standing alone, whatever its check
    character (a mistyped number is still someone's), or glued to other characters and valid
    as a number (``id010190-521Fz``).

    A glued shape that is no valid number is what a random hex id holds now and then (one
    ``uuid4().hex`` in about 120); one in about 10,000 holds a valid one, a dashed UUID one
    in about 40,000, and standing alone a UUID never does."""
    alone = {match.group().upper() for match in HETU_PATTERN.finditer(text)}
    glued = {match.group().upper() for match in HETU_SHAPE.finditer(text)}
    return alone | {found for found in glued if stdnum_hetu.is_valid(found, allow_temporary=True)}


def carries_a_hetu(text: str) -> bool:
    """Whether ``text`` holds a hetu (:func:`hetus_in`)."""
    return bool(hetus_in(text))


def redact_hetus(text: str) -> str:
    """Replace anything shaped like a hetu in ``text``, glued to other characters or not, in
    any case, with a placeholder."""
    return HETU_SHAPE.sub("[hetu]", text)
