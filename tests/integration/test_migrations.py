"""One Alembic history for SQLite and PostgreSQL: up from empty, down to empty, and no drift."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from consent.adapters.sql.migrate import (
    current_revision,
    downgrade,
    head_revision,
    is_current,
    upgrade,
)
from consent.adapters.sql.tables import Base

TABLES = {
    "webhook_inbox",
    "participants",
    "consents",
    "courses",
    "course_parts",
    "results",
    "koski_submissions",
    "revocations",
    "audit_events",
}


def test_upgrade_from_empty_creates_every_table(empty_engine: Engine) -> None:
    assert current_revision(empty_engine) is None
    assert not is_current(empty_engine)
    upgrade(empty_engine)
    assert set(inspect(empty_engine).get_table_names()) >= TABLES
    assert current_revision(empty_engine) == head_revision(empty_engine)
    assert is_current(empty_engine)


def test_downgrade_returns_to_empty_and_upgrade_works_again(engine: Engine) -> None:
    downgrade(engine)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert current_revision(engine) is None
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES


def test_the_migrated_schema_matches_the_table_mappings(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_the_inbox_refuses_a_second_row_for_one_webhook_id(engine: Engine) -> None:
    row = {
        "source": "signing",
        "webhook_id": "msg_1",
        "webhook_timestamp": 1,
        "signature": "v1,x",
        "key_id": "k",
        "event_type": "consent.signed",
        "body_key_id": "k",
        "body_sealed": b"x",
        "body_sha256": "0" * 64,
        "received_at": dt.datetime(2026, 1, 1),
        "state": "received",
        "attempts": 0,
    }
    columns, values = ", ".join(row), ", ".join(f":{k}" for k in row)
    insert = text(f"INSERT INTO webhook_inbox ({columns}) VALUES ({values})")  # noqa: S608 - fixed names
    with engine.begin() as connection:
        connection.execute(insert, row)
    with pytest.raises(DBAPIError), engine.begin() as connection:
        connection.execute(insert, row)


def _insert_audit(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_events (occurred_at, actor, action, subject_type) "
                "VALUES (:at, 'test', 'created', 'consent')"
            ),
            {"at": dt.datetime(2026, 1, 1)},
        )


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET actor = 'someone else'", "DELETE FROM audit_events"]
)
def test_the_audit_trail_refuses_updates_and_deletes(engine: Engine, statement: str) -> None:
    _insert_audit(engine)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT actor FROM audit_events")).scalar_one() == "test"


def test_a_course_with_no_extent_is_refused_by_the_database(engine: Engine) -> None:
    with pytest.raises(DBAPIError), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO courses (code, name_fi, opintokokonaisuus, laajuus_op, end_date, "
                "oppilaitos_oid, language, grading_scale, confirmer_name, confirmer_title, "
                "created_at, updated_at) "
                "VALUES ('c', 'n', '1138', 0, :d, 'o', 'FI', 'x', 'n', 't', :t, :t)"
            ),
            {"d": dt.date(2026, 1, 1), "t": dt.datetime(2026, 1, 1)},
        )
