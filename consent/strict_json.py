"""Strict JSON for signed bodies and uploads: UTF-8 only, no duplicate keys, no NaN or
Infinity, and nothing the code behind it could choke on.

Python's own parser accepts a few things that fail later, far from the edge: integers of
thousands of digits (``int`` refuses them with a ``ValueError``), numbers too large for a
float (``1e400`` becomes infinity), lone surrogates such as ``\\ud800`` (no UTF-8 text can
hold them), NUL characters (PostgreSQL text cannot) and deep nesting (recursive code runs
out of stack). Each is refused here, with a message that quotes nothing from the input.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Final

from consent.errors import ConsentError

MAX_INTEGER_DIGITS: Final = 32
MAX_DEPTH: Final = 32
_UNSTORABLE: Final = re.compile("[\x00\ud800-\udfff]")


class StrictJsonError(ConsentError):
    """The bytes are not strict JSON; the message says why without quoting them."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise StrictJsonError("duplicate object key")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise StrictJsonError(f"{name} is not JSON")


def _bounded_int(text: str) -> int:
    """An integer of at most :data:`MAX_INTEGER_DIGITS` digits; no document needs more."""
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise StrictJsonError(f"an integer has more than {MAX_INTEGER_DIGITS} digits")
    return int(text)


def _finite_float(text: str) -> float:
    """A number that fits a float; ``1e400`` would silently become infinity."""
    value = float(text)
    if not math.isfinite(value):
        raise StrictJsonError("a number is too large")
    return value


def loads_strict(body: bytes) -> Any:
    """Parse ``body`` strictly, or raise :class:`StrictJsonError`."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise StrictJsonError("body is not UTF-8") from None
    try:
        document = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constants,
            parse_int=_bounded_int,
            parse_float=_finite_float,
        )
    except json.JSONDecodeError as error:
        raise StrictJsonError(
            f"malformed JSON at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        raise StrictJsonError("JSON nested too deeply") from None
    if _may_hold_unstorable(text):
        _check_tree(document)
    return document


def _may_hold_unstorable(text: str) -> bool:
    """Whether the document parsed from ``text`` can hold what :func:`_check_tree` refuses.

    Only a ``\\u`` escape puts a NUL or a lone surrogate into a string (the parser refuses
    control characters as they stand, and UTF-8 cannot carry a surrogate), and nesting
    deeper than :data:`MAX_DEPTH` needs more opening brackets than that; a signed event
    has neither, and skips the walk of its tree."""
    return "\\u" in text or text.count("{") + text.count("[") > MAX_DEPTH


def _check_tree(document: Any) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` and strings (keys too) that hold a lone
    surrogate or a NUL. Iterative, so a deep document cannot exhaust the stack here."""
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            _check_string(value)
        elif isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise StrictJsonError(f"JSON nested deeper than {MAX_DEPTH} levels")
            children = value.values() if isinstance(value, dict) else value
            if isinstance(value, dict):
                for key in value:
                    _check_string(key)
            pending.extend((child, depth + 1) for child in children)


def _check_string(text: str) -> None:
    if _UNSTORABLE.search(text):
        raise StrictJsonError("a string holds a NUL or a lone surrogate")
