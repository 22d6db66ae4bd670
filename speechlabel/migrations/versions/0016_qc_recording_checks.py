"""Recording checks at import (QC).

Revision ID: 0016_qc
Revises: 0015

A project's rules for the recording checks (``projects.qc_rules``, JSON: core/qc.py QcRules; NULL
reads as the defaults) and, per recording, what its import measured and the rules it broke
(``recordings.qc``, JSON: RecordingQc; NULL for recordings imported before).
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_qc"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("qc_rules", sa.JSON, nullable=True))
    with op.batch_alter_table("recordings") as batch:
        batch.add_column(sa.Column("qc", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recordings") as batch:
        batch.drop_column("qc")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("qc_rules")
