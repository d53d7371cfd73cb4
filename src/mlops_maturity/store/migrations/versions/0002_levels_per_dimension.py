"""Levels per dimension as rows, for querying trends and portfolios without parsing JSON.

Backfills the rows of assessments stored at revision 0001 from their result JSON.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dims = op.create_table(
        "assessment_dimensions",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=50), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("potential_level", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("unknown", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"],
            name=op.f("fk_assessment_dimensions_assessment_id_assessments"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", "dimension", name=op.f("pk_assessment_dimensions")),
    )
    op.create_index(
        op.f("ix_assessment_dimensions_dimension_level"), "assessment_dimensions", ["dimension", "level"], unique=False
    )

    conn = op.get_bind()
    assessments = sa.table("assessments", sa.column("id", sa.Integer()), sa.column("result_json", sa.Text()))
    last = 0
    while True:  # in pages, so a large database is not read into memory at once
        page = conn.execute(
            sa.select(assessments.c.id, assessments.c.result_json)
            .where(assessments.c.id > last)
            .order_by(assessments.c.id)
            .limit(500)
        ).all()
        if not page:
            break
        rows = []
        for aid, text in page:
            for pos, d in enumerate(json.loads(text)["dimensions"]):
                rows.append(
                    {
                        "assessment_id": aid,
                        "dimension": d["id"],
                        "position": pos,
                        "level": d["level"],
                        "potential_level": d.get("potential_level", d["level"]),
                        "progress": d.get("progress", 0.0),
                        "unknown": d.get("unknown", 0),
                    }
                )
        if rows:
            op.bulk_insert(dims, rows)
        last = page[-1][0]


def downgrade() -> None:
    op.drop_index(op.f("ix_assessment_dimensions_dimension_level"), table_name="assessment_dimensions")
    op.drop_table("assessment_dimensions")
