"""Removal on request: ``results.removed_at``, when staff removed a result a person asked to
have removed (or one filed under a wrong hetu). A result with no KOSKI history is deleted
outright; one with history keeps its row, marked, so the history stays and nothing of it is
ever sent again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("results") as batch_op:
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("results") as batch_op:
        batch_op.drop_column("removed_at")
