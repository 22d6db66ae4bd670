"""Review: decisions with reason codes, and the per-project review settings (sample share,
quality policy).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("segment_id", sa.String(40), sa.ForeignKey("segments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("segment_version", sa.Integer, nullable=False),
        sa.Column("labeler", sa.String(100), nullable=True),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(40), nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_reviews_segment", "reviews", ["segment_id", "id"])
    op.create_index("ix_reviews_project_labeler", "reviews", ["project_id", "labeler", "created_at"])
    # NULL reads as the defaults of ReviewSettings (10 % sample, no quality policy).
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("review_settings", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("review_settings")
    op.drop_index("ix_reviews_project_labeler", table_name="reviews")
    op.drop_index("ix_reviews_segment", table_name="reviews")
    op.drop_table("reviews")
