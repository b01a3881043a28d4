"""Alembic's entry point: runs migrations on the connection it is given, or on DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from storage.database import database_url
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection) -> None:  # type: ignore[no-untyped-def]
    # Batch mode lets later migrations alter SQLite tables (it copies them).
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:  # the `alembic` command line, run from the project folder
    engine = create_engine(config.get_main_option("sqlalchemy.url") or database_url())
    with engine.begin() as new_connection:
        run_migrations(new_connection)
