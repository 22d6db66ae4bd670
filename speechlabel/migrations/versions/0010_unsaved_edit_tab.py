"""Which browser tab last kept an unsaved edit.

Revision ID: 0010
Revises: 0009

One person may have a segment open in two tabs. A save from one tab ends that tab's unsaved edit,
but an edit another tab kept (and the person typed differently there) stays, on the version it
was typed on, so the next open shows it as a conflict instead of dropping it. NULL: kept before
this migration, or from outside a browser tab (the command line); a save ends those as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("unsaved_edits") as batch:
        batch.add_column(sa.Column("tab", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("unsaved_edits") as batch:
        batch.drop_column("tab")
