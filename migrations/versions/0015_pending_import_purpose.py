"""What a held upload is for: ``pending_imports.purpose`` (``results`` or ``enrolments``), so
an enrolment file checked on its preview page can only be confirmed as enrolments, and a
results file only as results. Every upload held before this is a results file.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pending_imports") as batch_op:
        batch_op.add_column(
            sa.Column("purpose", sa.String(16), nullable=False, server_default="results")
        )


def downgrade() -> None:
    with op.batch_alter_table("pending_imports") as batch_op:
        batch_op.drop_column("purpose")
