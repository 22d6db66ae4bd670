"""Confidence routing: second drafts, correctness models and each segment's route.

Revision ID: 0019_rt
Revises: 0015

Three tables of their own (nothing existing changes; the new status ``auto_accepted`` is a
value of the existing ``segments.status`` string):

- ``second_drafts``: a cheap second decode of a segment (another model or decoding), whose
  agreement with the draft is one of the correctness model's signals.
- ``correctness_models``: a project's fitted models, newest last, as JSON numbers (never a
  pickle), with provenance (when, by whom, on how many segments, features, calibration checks)
  and the routing applied with it (target precision, threshold, audit share).
- ``segment_routes``: each routed segment's score and route (auto-accepted, audit, people) with
  the model and threshold that decided it, and the draft text as accepted (for the audit).
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_rt"
down_revision = "0017_cmd"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "second_drafts",
        sa.Column("segment_id", sa.String(40), sa.ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("model", sa.String(255), nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "correctness_models",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("model", sa.JSON, nullable=False),
        sa.Column("routing", sa.JSON, nullable=True),
        sa.Index("ix_correctness_models_project", "project_id", "id"),
    )
    op.create_table(
        "segment_routes",
        sa.Column("segment_id", sa.String(40), sa.ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("model_id", sa.Integer, sa.ForeignKey("correctness_models.id", ondelete="CASCADE"), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("threshold", sa.Float, nullable=False),
        sa.Column("route", sa.String(16), nullable=False),
        sa.Column("draft_text", sa.Text, nullable=False),
        sa.Column("routed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Index("ix_segment_routes_project_route", "project_id", "route"),
    )


def downgrade() -> None:
    # Auto-accepted segments go back to the labeling queue: older code does not know the status.
    op.execute("UPDATE segments SET status = 'drafted' WHERE status = 'auto_accepted'")
    op.drop_table("segment_routes")
    op.drop_table("correctness_models")
    op.drop_table("second_drafts")
