"""Alembic environment: run against the connection handed over by pipeline.storage.db."""

from __future__ import annotations

import logging

from alembic import context
from sqlalchemy import create_engine

from migrations.schema_filter import include_object
from pipeline.storage.models import Base

config = context.config
target_metadata = Base.metadata
# Alembic's own logger is noisy at INFO on every start; keep it for problems only.
logging.getLogger("alembic").setLevel(logging.WARNING)


def run_migrations_offline() -> None:
    context.configure(
        url=config.attributes.get("connection_url") or config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        url = config.attributes.get("connection_url") or config.get_main_option("sqlalchemy.url")
        engine = create_engine(url)
        with engine.begin() as conn:
            _run(conn)
        return
    _run(connection)


def _run(connection) -> None:  # noqa: ANN001
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
