"""Pre-labeling work claimed per recording, and the runners that claim it.

Revision ID: 0014
Revises: 0013

A job (a lead's "pre-label this project") queues one work row per recording not yet drafted.
Any runner (the app's local worker process, ``speechlabel worker`` on any machine, ``speechlabel
prelabel``) claims rows atomically and holds them by a lease its heartbeat extends; a runner that
dies loses its lease and the recording is claimed again, continuing from what was stored. The
job's own progress columns are no longer written: progress is counted from the work rows.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prelabel_work",
        sa.Column("recording_id", sa.String(40), sa.ForeignKey("recordings.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("job_id", sa.Integer, sa.ForeignKey("prelabel_jobs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("owner", sa.String(255), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("audio_seconds", sa.Float, nullable=False),
        sa.Column("audio_seconds_done", sa.Float, nullable=False),
        sa.Column("segments_drafted", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("error_key", sa.String(100), nullable=True),
        sa.Column("error_params", sa.JSON, nullable=True),
    )
    op.create_index("ix_prelabel_work_claim", "prelabel_work", ["state", "queued_at"])
    op.create_index("ix_prelabel_work_job", "prelabel_work", ["job_id", "state"])
    op.create_table(
        "prelabel_runners",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("device", sa.String(32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("prelabel_runners")
    op.drop_index("ix_prelabel_work_job", table_name="prelabel_work")
    op.drop_index("ix_prelabel_work_claim", table_name="prelabel_work")
    op.drop_table("prelabel_work")
