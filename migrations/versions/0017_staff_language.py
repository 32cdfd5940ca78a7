"""The staff pages' language per account: ``staff_accounts.language`` (``fi`` or ``sv``),
Finnish for every existing account.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_accounts") as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(2), nullable=False, server_default="fi")
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_accounts") as batch_op:
        batch_op.drop_column("language")
