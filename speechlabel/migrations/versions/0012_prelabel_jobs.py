"""Pre-labeling jobs in the database, whichever process runs them.

Revision ID: 0012
Revises: 0011

A job is running, done, failed or interrupted, with who started it, the process that runs it
(host, pid), a heartbeat and its progress. At most one job per project is running (a partial
unique index), so two runs on one project can no longer segment or draft the same recordings at
once; a running job whose process is gone is shown as interrupted and can be started again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prelabel_jobs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("started_by", sa.String(100), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recordings_done", sa.Integer, nullable=False),
        sa.Column("recordings_total", sa.Integer, nullable=False),
        sa.Column("audio_seconds_done", sa.Float, nullable=False),
        sa.Column("audio_seconds_total", sa.Float, nullable=False),
        sa.Column("segments_drafted", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("error_key", sa.String(100), nullable=True),
        sa.Column("error_params", sa.JSON, nullable=True),
    )
    op.create_index("ix_prelabel_jobs_project", "prelabel_jobs", ["project_id", "id"])
    op.create_index(
        "uq_prelabel_jobs_one_running",
        "prelabel_jobs",
        ["project_id"],
        unique=True,
        sqlite_where=sa.text("state = 'running'"),
        postgresql_where=sa.text("state = 'running'"),
    )


def downgrade() -> None:
    op.drop_index("uq_prelabel_jobs_one_running", table_name="prelabel_jobs")
    op.drop_index("ix_prelabel_jobs_project", table_name="prelabel_jobs")
    op.drop_table("prelabel_jobs")
