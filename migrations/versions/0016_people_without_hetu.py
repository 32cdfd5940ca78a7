"""People without a hetu, and consents recorded by staff.

A participant is identified by a hetu or by KOSKI's oppijanumero (oid), never both: the
hetu's columns become nullable, the oid is stored sealed (``oid_sealed``) with a keyed blind
index (``oid_index``, unique), and a person identified by oid has their birth date sealed
beside it (``birth_date_sealed``: the age rule needs it, and no oid gives it). Two checks
keep a row whole: exactly one identity, and an oid never without a birth date.

A consent staff recorded from a paper form (or identity checked in person) names the staff
member (``consents.recorded_by``) and keeps the scanned PDF sealed (``consents.pdf_sealed``),
as an enrolment keeps its signed PDF.

SQLite cannot change a column's nullability or add a check in place, and its batch mode
(copy, drop, rename) would trip the foreign keys of consents, results and enrolments, which
refer to participants: so there the table is rebuilt under deferred foreign keys, the rows
put back into the new table before the transaction ends (which satisfies those keys again).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

ONE_IDENTITY = "(hetu_index IS NULL) <> (oid_index IS NULL)"
OID_HAS_BIRTH_DATE = "oid_index IS NULL OR birth_date_sealed IS NOT NULL"
OLD_COLUMNS = (
    "id, hetu_index, hetu_key_id, hetu_sealed, names_key_id, names_sealed, created_at, updated_at"
)
BACKUP = "_participants_0016"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_participants(with_oid=True)
    else:
        _alter_participants()
    with op.batch_alter_table("consents") as batch_op:
        batch_op.add_column(sa.Column("recorded_by", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("pdf_key_id", sa.String(32), nullable=True))
        batch_op.add_column(sa.Column("pdf_sealed", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("consents") as batch_op:
        batch_op.drop_column("pdf_sealed")
        batch_op.drop_column("pdf_key_id")
        batch_op.drop_column("recorded_by")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_participants(with_oid=False)
        return
    op.drop_constraint(op.f("ck_participants_oid_has_birth_date"), "participants", type_="check")
    op.drop_constraint(op.f("ck_participants_one_identity"), "participants", type_="check")
    op.drop_index(op.f("ix_participants_oid_index"), table_name="participants")
    for column in ("birth_date_sealed", "birth_date_key_id", "oid_sealed", "oid_key_id"):
        op.drop_column("participants", column)
    op.drop_column("participants", "oid_index")
    for column in ("hetu_index", "hetu_key_id", "hetu_sealed"):
        op.alter_column("participants", column, nullable=False)


def _alter_participants() -> None:
    """PostgreSQL changes the table in place."""
    for name in ("hetu_index", "hetu_key_id", "hetu_sealed"):
        op.alter_column("participants", name, nullable=True)
    for column in _oid_columns():
        op.add_column("participants", column)
    op.create_index(op.f("ix_participants_oid_index"), "participants", ["oid_index"], unique=True)
    op.create_check_constraint(op.f("ck_participants_one_identity"), "participants", ONE_IDENTITY)
    op.create_check_constraint(
        op.f("ck_participants_oid_has_birth_date"), "participants", OID_HAS_BIRTH_DATE
    )


def _rebuild_participants(*, with_oid: bool) -> None:
    """SQLite: copy the rows aside, drop and create the table anew, put the rows back.

    The drop leaves the referring rows without their participant for a moment; with the
    foreign keys deferred that is allowed until the commit, and putting each row back
    settles it. ``PRAGMA defer_foreign_keys`` lasts to the end of the transaction, so one
    is begun if none is open yet (a run that starts at this revision has written nothing).
    """
    connection = op.get_bind()
    if not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr] # sqlite3
        op.execute("BEGIN")
    op.execute("PRAGMA defer_foreign_keys=ON")
    op.execute(f"CREATE TABLE {BACKUP} AS SELECT {OLD_COLUMNS} FROM participants")  # noqa: S608 - fixed names
    op.drop_table("participants")
    _create_participants(with_oid=with_oid)
    op.execute(
        f"INSERT INTO participants ({OLD_COLUMNS}) SELECT {OLD_COLUMNS} FROM {BACKUP}"  # noqa: S608 - fixed names
    )
    op.drop_table(BACKUP)


def _create_participants(*, with_oid: bool) -> None:
    columns: list[sa.Column[object] | sa.Constraint] = [
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hetu_index", sa.String(length=64), nullable=with_oid),
        sa.Column("hetu_key_id", sa.String(length=32), nullable=with_oid),
        sa.Column("hetu_sealed", sa.LargeBinary(), nullable=with_oid),
        sa.Column("names_key_id", sa.String(length=32), nullable=True),
        sa.Column("names_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participants")),
        sa.UniqueConstraint("hetu_index", name=op.f("uq_participants_hetu_index")),
    ]
    if with_oid:
        columns += _oid_columns()
        columns += [
            sa.CheckConstraint(ONE_IDENTITY, name=op.f("ck_participants_one_identity")),
            sa.CheckConstraint(OID_HAS_BIRTH_DATE, name=op.f("ck_participants_oid_has_birth_date")),
        ]
    op.create_table("participants", *columns)
    if with_oid:
        op.create_index(
            op.f("ix_participants_oid_index"), "participants", ["oid_index"], unique=True
        )


def _oid_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("oid_index", sa.String(length=64), nullable=True),
        sa.Column("oid_key_id", sa.String(length=32), nullable=True),
        sa.Column("oid_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("birth_date_key_id", sa.String(length=32), nullable=True),
        sa.Column("birth_date_sealed", sa.LargeBinary(), nullable=True),
    ]
