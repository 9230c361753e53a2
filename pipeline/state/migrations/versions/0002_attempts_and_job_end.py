"""Count the deliveries of a document's join, as pages count theirs; record a job's end.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add documents.attempts (0 for the rows there) and jobs.finished_at."""
    with op.batch_alter_table("documents") as batch:
        batch.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("finished_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("finished_at")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("attempts")
