"""Per-project label settings (speakers, tags, low-confidence threshold) as one JSON column.

Revision ID: 0003
Revises: 0002

Nullable without a server default: rows of projects created before this migration hold NULL,
which ``LabelSettings.from_dict`` reads as the defaults. A JSON server default would need a
different literal on SQLite and PostgreSQL, and NULL says "never set" just as well.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("label_settings", sa.JSON, nullable=True))


def downgrade() -> None:
    # Batch mode: SQLite before 3.35 cannot drop a column in place; batch copies the table.
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("label_settings")
