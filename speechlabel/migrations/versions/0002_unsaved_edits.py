"""Unsaved edits of the label page (per user and segment) and the log of segment merges.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_NOW = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "unsaved_edits",
        sa.Column("user", sa.String(100), primary_key=True),
        sa.Column("segment_id", sa.String(40), sa.ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("base_version", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("speaker", sa.String(100)),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("updated_at", _NOW, nullable=False),
    )
    op.create_table(
        "segment_merges",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("segment_id", sa.String(40), sa.ForeignKey("segments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("absorbed_id", sa.String(40), nullable=False),
        sa.Column("absorbed_version", sa.Integer, nullable=False),
        sa.Column("absorbed", sa.JSON, nullable=False),
        sa.Column("revision_ids", sa.JSON, nullable=False),
        sa.Column("draft_ids", sa.JSON, nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("created_at", _NOW, nullable=False),
    )
    op.create_index("ix_segment_merges_segment", "segment_merges", ["segment_id"])
    op.create_index("ix_segment_merges_absorbed", "segment_merges", ["absorbed_id"])


def downgrade() -> None:
    op.drop_table("segment_merges")
    op.drop_table("unsaved_edits")
