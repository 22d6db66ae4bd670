"""Review queue: indexes that make the queue's per-segment lookups index-only.

Revision ID: 0008
Revises: 0007

The queue finds each submitted segment's newest revision with a queue status (its labeler of
record) and the lowest ``avg_logprob`` of its drafts (its confidence); with these two indexes
both are one index probe per segment.
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_revisions_segment_status", "revisions", ["segment_id", "status", "id"])
    op.create_index("ix_drafts_segment_logprob", "drafts", ["segment_id", "avg_logprob"])


def downgrade() -> None:
    op.drop_index("ix_drafts_segment_logprob", table_name="drafts")
    op.drop_index("ix_revisions_segment_status", table_name="revisions")
