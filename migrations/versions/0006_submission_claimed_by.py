"""koski_submissions.claimed_by: the job that last took a submission to send it

A job that sends a range of submissions and is killed mid-send leaves one in flight. Run
again under the same job id, it sends that one again at once; another job leaves it alone,
since its sender may still be alive.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("koski_submissions") as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("koski_submissions") as batch_op:
        batch_op.drop_column("claimed_by")
