"""The weekly attention e-mail: ``staff_accounts.email`` (the staff member's own work address,
kept plain: it is staff data the service needs in clear to send, never a participant's) and
``staff_accounts.weekly_mail`` (whether the account gets the weekly e-mail; off for every
existing account).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_accounts") as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(254), nullable=True))
        batch_op.add_column(
            sa.Column("weekly_mail", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_accounts") as batch_op:
        batch_op.drop_column("weekly_mail")
        batch_op.drop_column("email")
