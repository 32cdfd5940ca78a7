"""Alembic environment: migrates through the engine the caller put in the config."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from consent.adapters.sql.tables import Base

engine = context.config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError(
        "run migrations through consent.adapters.sql.migrate or `vst-consent migrate`"
    )

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
