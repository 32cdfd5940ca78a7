"""enrolments: participants invited to sign through the Visma Sign connector

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enrolments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("course_code", sa.String(length=64), nullable=False),
        sa.Column(
            "participant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "signer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("contact_key_id", sa.String(length=32), nullable=False),
        sa.Column("contact_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("document_uuid", sa.String(length=64), nullable=True),
        sa.Column("file_added", sa.Boolean(), nullable=False),
        sa.Column("invitation_uuid", sa.String(length=64), nullable=True),
        sa.Column("signing_url", sa.Text(), nullable=True),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome_reason", sa.String(length=32), nullable=True),
        sa.Column("pdf_key_id", sa.String(length=32), nullable=True),
        sa.Column("pdf_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("event_posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_enrolments_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["signer_id"], ["participants.id"], name=op.f("fk_enrolments_signer_id_participants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolments")),
        sa.UniqueConstraint(
            "course_code", "participant_id", name=op.f("uq_enrolments_course_code_participant_id")
        ),
        sa.UniqueConstraint("document_uuid", name=op.f("uq_enrolments_document_uuid")),
    )


def downgrade() -> None:
    op.drop_table("enrolments")
