"""One ``INSERT … ON CONFLICT DO NOTHING RETURNING id``, run on PostgreSQL's driver itself.

The webhook stores a row on every request. SQLAlchemy running one Core statement (a
Connection, its events, an execution context, a result) costs as much CPU there as psycopg's
own work with the round trip (~0.13 ms against ~0.1 ms, measured in-process). So on
PostgreSQL the statement is still SQLAlchemy's, compiled once for the columns given (its
text, and each column type's bind processing, which is applied to the values as Core would),
but it runs on a pooled connection's psycopg connection directly, autocommitted: one round
trip. (The intake's engine lends its connections autocommitted already; another engine's
connection is switched to autocommit for the statement and back.) A failure comes out as
Core's would: a :class:`sqlalchemy.exc.DBAPIError`, with
``connection_invalidated`` set when the connection had died (the pool's idle connections
are then dropped too, as Core drops them: after a database restart they are all dead), and
without the values in its message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from consent.adapters.sql.upsert import insert_statement


@dataclass(frozen=True)
class _Compiled:
    sql: str
    processors: dict[str, Callable[[Any], Any]]


class DriverInsert:
    """Inserts a row into ``table`` (a mapped class) unless its ``keys`` exist already."""

    def __init__(self, engine: Engine, table: Any, keys: Sequence[str]) -> None:
        if not uses_psycopg(engine):
            raise ValueError("DriverInsert runs on PostgreSQL over psycopg only")
        self._engine = engine
        self._table = table
        self._keys = tuple(keys)
        self._compiled: dict[frozenset[str], _Compiled] = {}

    def __call__(self, values: dict[str, object]) -> int | None:
        """Insert ``values`` and commit; the new row's id, or None if its keys were there."""
        dbapi_error = self._engine.dialect.loaded_dbapi.Error
        try:
            pooled = self._engine.raw_connection()  # connected first: the dialect knows all
        except dbapi_error as error:  # no connection: the database is down or unreachable
            raise self._error(error, None, None, invalidated=False) from error
        try:
            compiled = self._compile(frozenset(values))
            params = {
                name: (processor(value) if (processor := compiled.processors.get(name)) else value)
                for name, value in values.items()
            }
            return self._execute(pooled, compiled.sql, params)
        finally:
            pooled.close()  # back to the pool, or discarded once invalidated

    def _compile(self, columns: frozenset[str]) -> _Compiled:
        found = self._compiled.get(columns)
        if found is None:
            dialect = self._engine.dialect
            statement = insert_statement(dialect.name, self._table, self._keys)
            compiled = statement.compile(dialect=dialect, column_keys=sorted(columns))
            processors = {}
            for name, bind in compiled.binds.items():
                processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
                if processor is not None:
                    processors[name] = processor
            found = self._compiled[columns] = _Compiled(str(compiled), processors)
        return found

    def _execute(self, pooled: Any, sql: str, params: dict[str, Any]) -> int | None:
        driver = pooled.driver_connection
        dialect = self._engine.dialect
        lent_in_a_transaction = not driver.autocommit  # an engine not made autocommitted
        try:
            if lent_in_a_transaction:
                driver.autocommit = True
            try:
                row = driver.execute(sql, params).fetchone()
            finally:
                if lent_in_a_transaction and not driver.broken:
                    driver.autocommit = False  # as the pool lends it to others
        except dialect.loaded_dbapi.Error as error:
            invalidated = bool(driver.broken) or dialect.is_disconnect(error, driver, None)
            if invalidated:
                pooled.invalidate(error)
                self._engine.pool.dispose()  # the idle ones died with it
            raise self._error(error, sql, params, invalidated=invalidated) from error
        return None if row is None else int(row[0])

    def _error(
        self, error: Exception, sql: str | None, params: dict[str, Any] | None, *, invalidated: bool
    ) -> DBAPIError:
        """``error`` as Core raises it: SQLAlchemy's class for it, the values left out."""
        dialect = self._engine.dialect
        wrapped = DBAPIError.instance(
            sql,
            params,
            error,
            dialect.loaded_dbapi.Error,
            hide_parameters=True,
            connection_invalidated=invalidated,
            dialect=dialect,
        )
        assert isinstance(wrapped, DBAPIError)  # noqa: S101 - a driver error always is one
        return wrapped


def uses_psycopg(engine: Engine) -> bool:
    """Whether ``engine`` speaks to PostgreSQL over psycopg (3), which :class:`DriverInsert`
    needs."""
    return engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"
