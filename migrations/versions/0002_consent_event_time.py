"""consents.event_at: the time of the event that set the consent's state

Events can arrive out of order (a retry delivered after a newer event); binding ignores an
event older than the one that set the current state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("consents") as batch_op:
        batch_op.add_column(sa.Column("event_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("consents") as batch_op:
        batch_op.drop_column("event_at")
