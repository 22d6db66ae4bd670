"""What text typed for a merged-away segment is joined to, when it arrives after the merge.

Revision ID: 0013
Revises: 0012

A merge logs which segment absorbed which (``segment_merges``); it now also logs the survivor's
version and its own text just before the merge, so text a person typed for the absorbed segment
that reaches the server later (a keep or a save from a tab still showing it) is kept on the
survivor as their text against the merge, as if it had arrived just before. An unsaved edit
records which absorbed segment's text it ends with and where that text starts
(``carried_from``, ``carried_at``), so a later copy of that text replaces it instead of being
added twice. NULL: a merge or an edit from before this migration (the survivor's current text
and version stand in for the ones before the merge).
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("segment_merges") as batch:
        batch.add_column(sa.Column("survivor_version", sa.Integer, nullable=True))
        batch.add_column(sa.Column("survivor_text", sa.Text, nullable=True))
    with op.batch_alter_table("unsaved_edits") as batch:
        batch.add_column(sa.Column("carried_from", sa.String(40), nullable=True))
        batch.add_column(sa.Column("carried_at", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("unsaved_edits") as batch:
        batch.drop_column("carried_at")
        batch.drop_column("carried_from")
    with op.batch_alter_table("segment_merges") as batch:
        batch.drop_column("survivor_text")
        batch.drop_column("survivor_version")
