"""A batch's reports folder carries a token the store keeps, so a folder left by a `batch create`
that was killed before storing its batch is told apart from a stored batch's reports.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("batches") as table:
        table.add_column(sa.Column("reports_token", sa.String(32), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("batches") as table:
        table.drop_column("reports_token")
