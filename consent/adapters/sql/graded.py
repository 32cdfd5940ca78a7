"""A stored result row as the core reads what was graded: binding and sending read the same."""

from __future__ import annotations

from consent.adapters.sql.tables import ResultRow
from consent.results import GradedResult, ResultStatus


def graded_of(row: ResultRow) -> GradedResult:
    """What ``row`` says was graded (an empty grade is none; no ``ended_on``, the course's),
    and whether staff removed it on request."""
    return GradedResult(
        row.grade or None,
        row.graded_on,
        ResultStatus(row.status),
        dict(row.part_grades or {}),
        row.ended_on,
        removed=row.removed_at is not None,
    )
