"""Leases: which labeler holds which segment until when, and the project's assignment settings.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("segment_id", sa.String(40), sa.ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("slot", sa.Integer, primary_key=True),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("username", sa.String(40), nullable=False),
        sa.Column("batch_id", sa.String(32), nullable=False),
        sa.Column("leased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.String(40), nullable=True),
    )
    op.create_index("ix_leases_holder", "leases", ["project_id", "username", "expires_at"])
    # The pool is read in (recording, start) order: with this index a claim stops at its first
    # free rows instead of sorting every to-do segment of the project.
    op.create_index("ix_segments_project_order", "segments", ["project_id", "recording_id", "start", "id"])
    # NULL reads as the defaults of AssignmentSettings (batch 20, 30-minute leases, no quota).
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("assignment_settings", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("assignment_settings")
    op.drop_index("ix_segments_project_order", table_name="segments")
    op.drop_index("ix_leases_holder", table_name="leases")
    op.drop_table("leases")
