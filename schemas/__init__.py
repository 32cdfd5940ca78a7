"""JSON Schema documents for every input the service accepts, and one cached validator loader.

Formats are checked, not just annotated: ``date-time`` must be RFC 3339 with a time zone.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any, Final

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker, ValidationError

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")

FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _is_rfc3339(value: object) -> bool:
    """An RFC 3339 timestamp with an explicit offset (``Z`` or ``±hh:mm``)."""
    if not isinstance(value, str):
        return True  # type is another keyword's business
    if not _RFC3339.match(value):
        return False
    dt.datetime.fromisoformat(value)  # raises ValueError for 2026-02-30T25:61:00Z
    return True


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    """A calendar date, ``YYYY-MM-DD``."""
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    dt.date.fromisoformat(value)
    return True


@cache
def _schema(name: str) -> dict[str, Any]:
    text = resources.files(__name__).joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return schema


@cache
def validator(name: str) -> Draft202012Validator:
    """The validator for ``schemas/<name>.schema.json``, built once per process."""
    return Draft202012Validator(_schema(name), format_checker=FORMATS)


def _checks(check: Callable[[object], bool]) -> Callable[[str], bool]:
    """A format check as jsonschema-rs calls it: True or False, never an exception."""

    def checked(value: str) -> bool:
        try:
            return check(value)
        except ValueError:
            return False

    return checked


@cache
def fast_validator(name: str) -> jsonschema_rs.Validator:
    """The same schema and format checks compiled by jsonschema-rs: a yes or no in
    microseconds, for the common case of a valid document (the webhook's hot path)."""
    formats = {"date-time": _checks(_is_rfc3339), "date": _checks(_is_date)}
    return jsonschema_rs.Draft202012Validator(_schema(name), formats=formats, validate_formats=True)


def schema_problems(name: str, document: Any, limit: int = 20) -> list[dict[str, str]]:
    """What is wrong with ``document`` by ``schemas/<name>``: each field and the rule it broke.

    Neither the fields nor the reasons quote the document (an unknown property is named by
    its position, a key the document chose is ``(key)``), so both are safe to log and to
    send back. A valid document is recognised by jsonschema-rs; only an invalid one is
    walked by ``jsonschema`` for the list of what is wrong (the two agree:
    ``tests/unit/test_schema_validators.py``).
    """
    if fast_validator(name).is_valid(document):
        return []
    errors = sorted(validator(name).iter_errors(document), key=lambda e: [str(p) for p in e.path])
    known = _property_names(name)
    return [_describe(e, known) for e in errors[:limit]]


_REASONS: Final = {
    "type": "has the wrong type",
    "enum": "is not one of the allowed values",
    "const": "is not the allowed value",
    "pattern": "has an invalid format",
    "minLength": "is too short",
    "maxLength": "is too long",
    "exclusiveMinimum": "must be greater than zero",
    "maximum": "is too large",
    "minItems": "has too few items",
    "maxItems": "has too many items",
}


def _describe(error: ValidationError, known: frozenset[str]) -> dict[str, str]:
    path = _path(error, known)
    keyword = str(error.validator)
    if keyword == "required" and isinstance(error.instance, dict):
        required = error.validator_value if isinstance(error.validator_value, list) else []
        missing = [p for p in required if p not in error.instance]
        return {"field": _join(path, missing[0] if missing else "?"), "reason": "is required"}
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        positions = [n for n, k in enumerate(error.instance, start=1) if k not in allowed]
        unknown = f"(unknown property {positions[0]})" if positions else "?"
        return {"field": _join(path, unknown), "reason": "is not allowed"}
    if keyword == "format":
        return {"field": path or "(body)", "reason": f"is not a valid {error.validator_value}"}
    return {"field": path or "(body)", "reason": _REASONS.get(keyword, f"fails the {keyword} rule")}


def _path(error: ValidationError, known: frozenset[str]) -> str:
    """Where the error is, in names the schema itself uses: a key the document chose (a
    map's key, say) is a value from the document, so it is shown as ``(key)``, never quoted."""
    steps = (
        str(step) if isinstance(step, int) or step in known else "(key)"
        for step in error.absolute_path
    )
    return ".".join(steps)


@cache
def _property_names(name: str) -> frozenset[str]:
    """Every property name ``schemas/<name>`` declares, at any depth."""
    found: set[str] = set()
    pending: list[Any] = [_schema(name)]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            properties = node.get("properties")
            if isinstance(properties, dict):
                found.update(properties)
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return frozenset(found)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
