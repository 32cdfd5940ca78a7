"""INSERT … ON CONFLICT DO NOTHING in whichever dialect the session speaks."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_new(
    session: Session, table: Any, values: dict[str, object], keys: list[str]
) -> int | None:
    """Insert a row unless ``keys`` already exist; the new row's id, or None."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(values).on_conflict_do_nothing(index_elements=keys)
    inserted: int | None = session.execute(statement.returning(table.id)).scalar_one_or_none()
    return inserted
