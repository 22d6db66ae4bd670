"""Speaker and recording metadata.

Revision ID: 0015
Revises: 0014

A project's speakers carry optional gender, age group, dialect/region and native language; a
recording carries optional environment, device and microphone distance (core/metadata.py). Two
tables of their own: nothing existing changes, and a row appears only once a lead sets something.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "speaker_metadata",
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("speaker", sa.String(100), nullable=False),
        sa.Column("gender", sa.String(16), nullable=True),
        sa.Column("age_group", sa.String(16), nullable=True),
        sa.Column("dialect", sa.String(100), nullable=True),
        sa.Column("native_language", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("project_id", "speaker", name="pk_speaker_metadata"),
    )
    op.create_table(
        "recording_metadata",
        sa.Column("recording_id", sa.String(40), sa.ForeignKey("recordings.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("environment", sa.String(100), nullable=True),
        sa.Column("device", sa.String(100), nullable=True),
        sa.Column("mic_distance", sa.String(16), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("recording_metadata")
    op.drop_table("speaker_metadata")
