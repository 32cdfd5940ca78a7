"""The baseline job: takes a row id, as real jobs do, and does nothing."""

from __future__ import annotations


def noop(row_id: int) -> int:
    """Return the id untouched."""
    return row_id
