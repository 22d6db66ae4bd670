"""Double labeling: the independent second transcription of a picked share of segments.

Revision ID: 0006
Revises: 0005

Its lease uses slot 2 of ``leases`` (reserved by 0005); this table holds the pick and, once
saved, the second labeler's text, speaker, tags and the bounds it was made for.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "second_labels",
        sa.Column("segment_id", sa.String(40), sa.ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("picked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("labeler", sa.String(40), nullable=True),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("speaker", sa.String(100), nullable=True),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("start", sa.Float, nullable=True),
        sa.Column("duration", sa.Float, nullable=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_second_labels_open", "second_labels", ["project_id", "saved_at"])


def downgrade() -> None:
    op.drop_index("ix_second_labels_open", table_name="second_labels")
    op.drop_table("second_labels")
