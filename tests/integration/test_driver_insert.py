"""The intake's insert on psycopg itself (consent.adapters.sql.driver_insert) on the real
PostgreSQL: it stores what Core stores, fails as Core fails, and leaves the pool as it was."""

from __future__ import annotations

import datetime as dt
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, Row, select, text
from sqlalchemy.exc import DBAPIError

from consent.adapters.crypto import AesGcmCipher
from consent.adapters.sql import purposes
from consent.adapters.sql.engine import make_engine
from consent.adapters.sql.ledger import SqlLedger
from consent.adapters.sql.tables import InboxRow
from consent.adapters.sql.upsert import insert_new
from consent.model import InboxDelivery
from consent.ports import Sealed

NOW = dt.datetime(2026, 9, 1, 8, 15, 30, 123456, tzinfo=dt.timezone(dt.timedelta(hours=3)))
pytestmark = pytest.mark.parametrize("empty_engine", ["postgresql"], indirect=True)


def _delivery(webhook_id: str, key_id: str = "k1") -> InboxDelivery:
    body = b'{"type":"consent.signed","data":{}}'
    return InboxDelivery(
        "signing", webhook_id, 1788250500, "v1,abc=", key_id, "consent.signed", body, NOW
    )


def _own_pool(engine: Engine, size: int) -> Engine:
    """An engine on the same database whose pool holds ``size`` connections, unpinged, as
    the intake's own pool."""
    url = engine.url.render_as_string(hide_password=False)
    return make_engine(url, pool_pre_ping=False, pool_size=size, max_overflow=0)


def test_a_delivery_stored_on_the_driver_reads_back_as_one_stored_by_core(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    ledger = SqlLedger(engine, cipher)
    stored = ledger.store_delivery(_delivery("msg_driver"))
    # The same values once more, stored by Core under another webhook-id.
    values = dict(_row(engine, stored.inbox_id)._mapping)
    values.update(webhook_id="msg_core")
    del values["id"]
    with engine.begin() as connection:
        core_id = insert_new(connection, InboxRow, values, ["source", "webhook_id"])
    assert core_id is not None
    driver_row, core_row = _row(engine, stored.inbox_id), _row(engine, core_id)
    for name in values:
        if name != "webhook_id":
            assert driver_row._mapping[name] == core_row._mapping[name], name
    assert driver_row.received_at == NOW
    assert driver_row.received_at.tzinfo == dt.UTC
    sealed = Sealed(driver_row.body_key_id, driver_row.body_sealed)
    assert cipher.open_bytes(sealed, purposes.INBOX_BODY) == _delivery("x").body
    assert ledger.store_delivery(_delivery("msg_driver")).duplicate


def test_a_refused_insert_names_none_of_its_values_and_leaves_its_connection_as_lent(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    pool = _own_pool(engine, 1)  # one connection: the one that failed is the one lent next
    ledger = SqlLedger(pool, cipher)
    with pytest.raises(DBAPIError) as refused:
        ledger.store_delivery(_delivery("msg_toolong", key_id="k" * 40))  # the column has 16
    assert "k" * 40 not in str(refused.value)
    assert "msg_toolong" not in str(refused.value)
    assert not refused.value.connection_invalidated
    # The connection is transactional again: what a rolled-back transaction wrote is gone.
    with pool.connect() as connection:
        connection.execute(text("CREATE TABLE scratch (n INT)"))
        connection.rollback()
    with pool.connect() as connection:
        assert connection.execute(text("SELECT to_regclass('scratch')")).scalar() is None
    assert not ledger.store_delivery(_delivery("msg_after")).duplicate
    pool.dispose()


def test_after_a_database_restart_every_idle_connection_is_replaced(
    engine: Engine, cipher: AesGcmCipher
) -> None:
    pool = _own_pool(engine, 2)
    ledger = SqlLedger(pool, cipher)
    first, second = pool.raw_connection(), pool.raw_connection()
    first.close()
    second.close()  # two connections wait in the pool
    with psycopg.connect(_admin_url(engine), autocommit=True) as admin:  # as a restart does
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            [engine.url.database],
        )
    stored = ledger.store_delivery(_delivery("msg_restart"))  # one try on a dead one, then anew
    assert not stored.duplicate
    assert _row(engine, stored.inbox_id).webhook_id == "msg_restart"
    pool.dispose()


def _admin_url(engine: Engine) -> str:
    """The server's own database, from which ``engine``'s connections can be ended."""
    admin = engine.url.set(database="postgres", drivername="postgresql")
    return admin.render_as_string(hide_password=False)


def _row(engine: Engine, inbox_id: int) -> Row[Any]:
    table = InboxRow.__table__
    with engine.connect() as connection:
        return connection.execute(select(table).where(table.c.id == inbox_id)).one()
