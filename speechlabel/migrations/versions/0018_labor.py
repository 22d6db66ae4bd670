"""Labor telemetry: what a labeler's browser measured for one save of one segment.

Revision ID: 0018_lab
Revises: 0015

One row per save (or skip) that carried telemetry: active seconds, keys, edits, plays, whether
the draft was shown, the segment's audio seconds at the save, and the revision the save made
(NULL for a second labeling, which makes none). A table of its own: nothing existing changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_lab"
down_revision = "0016_qc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "labor",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("segment_id", sa.String(40), sa.ForeignKey("segments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("revision_id", sa.Integer, sa.ForeignKey("revisions.id", ondelete="CASCADE"), nullable=True),
        sa.Column("labeler", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("second_labeling", sa.Boolean, nullable=False),
        sa.Column("draft_shown", sa.Boolean, nullable=False),
        sa.Column("audio_seconds", sa.Float, nullable=False),
        sa.Column("active_seconds", sa.Float, nullable=False),
        sa.Column("keys", sa.Integer, nullable=False),
        sa.Column("edits", sa.Integer, nullable=False),
        sa.Column("plays", sa.Integer, nullable=False),
        sa.Column("clamped", sa.Boolean, nullable=False),
    )
    op.create_index("ix_labor_project_time", "labor", ["project_id", "created_at"])
    op.create_index("ix_labor_segment", "labor", ["segment_id"])


def downgrade() -> None:
    op.drop_index("ix_labor_segment", table_name="labor")
    op.drop_index("ix_labor_project_time", table_name="labor")
    op.drop_table("labor")
