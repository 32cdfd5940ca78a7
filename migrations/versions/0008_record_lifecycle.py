"""The record's life: a participant's own end date, a record's attention, its last check

- ``results.ended_on``: the day the participant ended the course, when a results row says so
  (otherwise the course's end date holds); a record is dated on it and waits for it.
- ``koski_submissions.attention``: why a record KOSKI holds is no longer what the ledger
  supports (regraded to failed, consent rejected, result removed), until a person decides.
- ``koski_submissions.checked_at``: when reconciliation last found the record in KOSKI.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("results") as batch_op:
        batch_op.add_column(sa.Column("ended_on", sa.Date(), nullable=True))
    with op.batch_alter_table("koski_submissions") as batch_op:
        batch_op.add_column(sa.Column("attention", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("koski_submissions") as batch_op:
        batch_op.drop_column("checked_at")
        batch_op.drop_column("attention")
    with op.batch_alter_table("results") as batch_op:
        batch_op.drop_column("ended_on")
