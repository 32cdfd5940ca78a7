"""INSERT … ON CONFLICT DO NOTHING in whichever dialect the session or connection speaks."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


@cache
def insert_statement(dialect_name: str, table: Any, keys: tuple[str, ...]) -> Any:
    """``INSERT … ON CONFLICT (keys) DO NOTHING RETURNING id`` into ``table`` (a mapped
    class), built once per table: values go in as parameters, so the compiled form is reused."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing(index_elements=keys).returning(table.id)


def insert_new(
    executor: Session | Connection, table: Any, values: dict[str, object], keys: list[str]
) -> int | None:
    """Insert a row unless ``keys`` already exist; the new row's id, or None."""
    bind = executor.get_bind() if isinstance(executor, Session) else executor
    statement = insert_statement(bind.dialect.name, table, tuple(keys))
    inserted: int | None = executor.execute(statement, values).scalar_one_or_none()
    return inserted
