"""The attention list's "seen" marks: ``attention_seen`` holds, per item of the list (its
stable key: a kind and an id or course code, never personal data), the fingerprint of the
state a staff member saw it in, who and when. An item whose state changes no longer matches
its fingerprint and is unseen again; a mark of an item that is fixed is simply never read.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attention_seen",
        sa.Column("item_key", sa.String(128), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("seen_by", sa.String(64), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("item_key", name=op.f("pk_attention_seen")),
    )


def downgrade() -> None:
    op.drop_table("attention_seen")
