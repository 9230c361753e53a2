"""Jobs, documents and pages.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the three tables."""
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("out_dir", sa.String(4096), nullable=False),
        sa.Column("storage", sa.String(4096), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("job_id", sa.String(32), primary_key=True),
        sa.Column("doc_id", sa.String(64), primary_key=True),
        sa.Column("source", sa.String(4096), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("error", sa.String(200), nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("record", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_documents_stage", "documents", ["stage"])
    op.create_table(
        "pages",
        sa.Column("job_id", sa.String(32), primary_key=True),
        sa.Column("doc_id", sa.String(64), primary_key=True),
        sa.Column("index", sa.Integer(), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.String(200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id", "doc_id"],
            ["documents.job_id", "documents.doc_id"],
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("pages")
    op.drop_index("ix_documents_stage", table_name="documents")
    op.drop_table("documents")
    op.drop_table("jobs")
