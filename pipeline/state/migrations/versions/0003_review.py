"""The review app's tables: users, sessions, batches, items and the audit log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The audit log is append-only: the database itself refuses to change or remove a row.
_SQLITE_TRIGGERS = (
    "CREATE TRIGGER review_audit_no_update BEFORE UPDATE ON review_audit "
    "BEGIN SELECT RAISE(ABORT, 'review_audit is append-only'); END",
    "CREATE TRIGGER review_audit_no_delete BEFORE DELETE ON review_audit "
    "BEGIN SELECT RAISE(ABORT, 'review_audit is append-only'); END",
)
_PG_TRIGGERS = (
    "CREATE FUNCTION review_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'review_audit is append-only'; END $$",
    "CREATE TRIGGER review_audit_append_only BEFORE UPDATE OR DELETE ON review_audit "
    "FOR EACH ROW EXECUTE FUNCTION review_audit_append_only()",
    "CREATE TRIGGER review_audit_no_truncate BEFORE TRUNCATE ON review_audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION review_audit_append_only()",
)


def upgrade() -> None:
    """Create the tables, and the triggers that keep review_audit append-only."""
    op.create_table(
        "review_users",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "review_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "username",
            sa.String(64),
            sa.ForeignKey("review_users.username", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "review_batches",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("out_dir", sa.String(4096), nullable=False, unique=True),
        sa.Column("manifest_mtime_ns", sa.BigInteger(), nullable=True),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "batch_id",
            sa.String(32),
            sa.ForeignKey("review_batches.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("doc_id", sa.String(64), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(4), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("box", sa.String(64), nullable=True),
        sa.Column("risk", sa.Float(), nullable=False, index=True),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("original", sa.Text(), nullable=False),
        sa.Column("corrected", sa.Text(), nullable=True),
        sa.Column("resolved_by", sa.String(64), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("batch_id", "doc_id", "kind", "ref"),
    )
    op.create_table(
        "review_audit",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("resource", sa.String(200), nullable=False),
        sa.Column("detail", sa.String(500), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    triggers = _PG_TRIGGERS if op.get_bind().dialect.name == "postgresql" else _SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    """Drop them (the audit log with its triggers)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE review_audit")
        op.execute("DROP FUNCTION review_audit_append_only()")
    else:
        op.drop_table("review_audit")
    for table in ("review_items", "review_batches", "review_sessions", "review_users"):
        op.drop_table(table)
