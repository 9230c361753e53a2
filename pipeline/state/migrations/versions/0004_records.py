"""Records management: sealed input paths, and each batch's retention and legal hold.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """documents.source becomes text (a sealed path is longer); batches get retention."""
    with op.batch_alter_table("documents") as t:
        t.alter_column("source", type_=sa.Text(), existing_type=sa.String(4096))
    with op.batch_alter_table("review_batches") as t:
        t.add_column(sa.Column("retain_days", sa.Integer(), nullable=True))
        t.add_column(
            sa.Column("legal_hold", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        t.add_column(sa.Column("hold_reference", sa.String(100), nullable=True))


def downgrade() -> None:
    """Drop the retention columns; input paths back to varchar."""
    with op.batch_alter_table("review_batches") as t:
        t.drop_column("hold_reference")
        t.drop_column("legal_hold")
        t.drop_column("retain_days")
    with op.batch_alter_table("documents") as t:
        t.alter_column("source", type_=sa.String(4096), existing_type=sa.Text())
