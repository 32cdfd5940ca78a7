"""JSON Schema documents for every input the service accepts, and one cached validator loader.

Formats are checked, not just annotated: ``date-time`` must be RFC 3339 with a time zone.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

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
def validator(name: str) -> Draft202012Validator:
    """The validator for ``schemas/<name>.schema.json``, built once per process."""
    text = resources.files(__name__).joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FORMATS)
