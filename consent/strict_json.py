"""Strict JSON for signed bodies: UTF-8 only, no duplicate keys, no NaN or Infinity."""

from __future__ import annotations

import json
from typing import Any

from consent.errors import ConsentError


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


def loads_strict(body: bytes) -> Any:
    """Parse ``body`` strictly, or raise :class:`StrictJsonError`."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise StrictJsonError("body is not UTF-8") from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except json.JSONDecodeError as error:
        raise StrictJsonError(
            f"malformed JSON at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        raise StrictJsonError("JSON nested too deeply") from None
