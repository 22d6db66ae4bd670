"""Command projects: a project's kind and its closed command vocabulary.

Revision ID: 0017_cmd
Revises: 0015

One nullable JSON column, like the other settings: NULL (projects from before this migration)
reads as ``CommandSettings()``, a free-conversation project.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_cmd"
down_revision = "0018_lab"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("command_settings", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("command_settings")
