"""Payroll controls: users and roles, the store's settings (one operator or two people), a pay date per
batch, content-addressed copies of every batch's reports and inputs, opening year-to-date amounts,
and an event log that the database itself keeps append-only.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APPEND_ONLY = "the event log is append-only: events are never changed or deleted"


def upgrade():
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("set_by", sa.String(128), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("roles", sa.Text, nullable=False),
        sa.Column("collector_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("team", sa.String(200), nullable=False, server_default=""),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "batch_files",
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(512), primary_key=True),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("blobs.sha256"), nullable=False),
    )
    op.create_table(
        "opening_ytd",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("collector_id", sa.String(64), primary_key=True),
        sa.Column("pay_code", sa.String(64), primary_key=True),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("loaded_by", sa.String(128), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("batches") as table:
        table.add_column(sa.Column("pay_date", sa.Date, nullable=True))
    with op.batch_alter_table("events") as table:
        table.alter_column("batch_id", existing_type=sa.Integer, nullable=True)
        table.add_column(sa.Column("subject", sa.String(128), nullable=False, server_default=""))
        table.add_column(sa.Column("note", sa.Text, nullable=False, server_default=""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION events_append_only() RETURNS trigger AS $$
                       BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$ LANGUAGE plpgsql""")
        op.execute("CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events FOR EACH ROW "
                   "EXECUTE FUNCTION events_append_only()")
        op.execute("CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT "
                   "EXECUTE FUNCTION events_append_only()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER events_no_{event.lower()} BEFORE {event} ON events "
                       f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")


def downgrade():
    raise NotImplementedError("the controls of revision 0003 are not undone: restore a backup instead")
