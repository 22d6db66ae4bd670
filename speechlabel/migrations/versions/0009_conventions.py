"""Per-project transcription convention: the tag scheme and whether lint errors block a submit.

Revision ID: 0009
Revises: 0008

One nullable JSON column, like the other settings: NULL (projects from before this migration)
reads as ``ConventionSettings()``: the scheme follows the project language (ko -> kspon, else
generic) and lint errors are shown but do not block a submit.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("convention_settings", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("convention_settings")
