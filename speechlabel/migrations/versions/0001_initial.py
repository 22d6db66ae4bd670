"""Projects, recordings, segments, drafts and revisions.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_NOW = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("language", sa.String(16)),
        sa.Column("segment_options", sa.JSON, nullable=False),
        sa.Column("engine_options", sa.JSON, nullable=False),
        sa.Column("glossary", sa.JSON, nullable=False),
        sa.Column("created_at", _NOW, nullable=False),
    )
    op.create_table(
        "recordings",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("label", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("original_path", sa.String(255), nullable=False),
        sa.Column("normalized_path", sa.String(255), nullable=False),
        sa.Column("format", sa.String(64), nullable=False),
        sa.Column("subtype", sa.String(64)),
        sa.Column("sampling_rate", sa.Integer, nullable=False),
        sa.Column("channels", sa.Integer, nullable=False),
        sa.Column("num_samples", sa.Integer, nullable=False),
        sa.Column("duration", sa.Float, nullable=False),
        sa.Column("peak_dbfs", sa.Float, nullable=False),
        sa.Column("rms_dbfs", sa.Float, nullable=False),
        sa.Column("clipped_ratio", sa.Float, nullable=False),
        sa.Column("snr_db", sa.Float),
        sa.Column("prelabel_state", sa.String(16), nullable=False),
        sa.Column("segment_options", sa.JSON),
        sa.Column("created_at", _NOW, nullable=False),
        sa.UniqueConstraint("project_id", "sha256", name="uq_recordings_project_sha256"),
    )
    op.create_table(
        "segments",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("recording_id", sa.String(40), sa.ForeignKey("recordings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("start", sa.Float, nullable=False),
        sa.Column("duration", sa.Float, nullable=False),
        sa.Column("channel", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("speaker", sa.String(100)),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("custom", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.String(100)),
        sa.Column("updated_at", _NOW),
    )
    op.create_index("ix_segments_project_status", "segments", ["project_id", "status"])
    op.create_index("ix_segments_recording_start", "segments", ["recording_id", "start"])
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("segment_id", sa.String(40), sa.ForeignKey("segments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("engine", sa.String(40), nullable=False),
        sa.Column("model", sa.String(255), nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("words", sa.JSON, nullable=False),
        sa.Column("avg_logprob", sa.Float, nullable=False),
        sa.Column("no_speech_prob", sa.Float, nullable=False),
        sa.Column("compression_ratio", sa.Float, nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("language_probability", sa.Float, nullable=False),
        sa.Column("created_at", _NOW, nullable=False),
    )
    op.create_index("ix_drafts_segment", "drafts", ["segment_id"])
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("segment_id", sa.String(40), sa.ForeignKey("segments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("created_at", _NOW, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("speaker", sa.String(100)),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("start", sa.Float, nullable=False),
        sa.Column("duration", sa.Float, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text),
    )
    op.create_index("ix_revisions_segment_version", "revisions", ["segment_id", "version"])


def downgrade() -> None:
    for table in ("revisions", "drafts", "segments", "recordings", "projects"):
        op.drop_table(table)
