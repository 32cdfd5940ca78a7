"""Audit rows: the append-only trail of what happened, with ids and codes, never personal data."""

from __future__ import annotations

from consent.adapters.sql.tables import AuditRow
from consent.model import AuditEntry
from consent.ports import Clock


def audit_row(entry: AuditEntry, clock: Clock) -> AuditRow:
    """The row for an audit entry, stamped now unless it carries its own time."""
    return AuditRow(**audit_values(entry, clock))


def audit_values(entry: AuditEntry, clock: Clock) -> dict[str, object]:
    """The column values of an audit entry's row (for a Core ``insert``)."""
    return {
        "occurred_at": entry.occurred_at or clock(),
        "actor": entry.actor,
        "action": entry.action,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "details": entry.details or None,
    }
