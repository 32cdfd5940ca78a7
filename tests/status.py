"""A course's status as the staff API and ``status --json`` show it, for tests that read it."""

from __future__ import annotations

from typing import Any

from consent.ports import StatusReader
from consent.views import status_json


def status_rows(reader: StatusReader, code: str) -> list[dict[str, Any]]:
    """Every participant's row of the course, as the JSON staff get."""
    return [status_json(row) for row in reader.course_status(code)]
