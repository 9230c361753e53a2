"""Alembic's environment: run on the connection ``open_state`` hands over (no alembic.ini)."""

from alembic import context

from pipeline.state.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
)
with context.begin_transaction():
    context.run_migrations()
