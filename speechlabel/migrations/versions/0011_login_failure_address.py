"""Sign-in failures remember the client's address: a username is paused per address, an address
across usernames, so nobody elsewhere can lock an account out.

Revision ID: 0011
Revises: 0010

Failures from before this migration (and from clients whose address is unknown, such as
localhost) have the address "".
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_failures") as batch:
        batch.add_column(sa.Column("address", sa.String(64), nullable=False, server_default=""))
    op.create_index("ix_login_failures_address_at", "login_failures", ["address", "at"])


def downgrade() -> None:
    op.drop_index("ix_login_failures_address_at", "login_failures")
    with op.batch_alter_table("login_failures") as batch:
        batch.drop_column("address")
