"""API tokens that expire, and idempotency keys of uploads (a retried upload stores one assessment).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "upload_keys",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_upload_keys_team_id_teams"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"], name=op.f("fk_upload_keys_assessment_id_assessments"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_id", "key", name=op.f("pk_upload_keys")),
    )


def downgrade() -> None:
    op.drop_table("upload_keys")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
