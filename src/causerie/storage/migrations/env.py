"""Alembic environment: runs on a connection handed in by causerie.storage.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from causerie.storage.schema import include_name, metadata

config = context.config


def _configure_and_run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _configure_and_run(connection)
else:
    # Used by `alembic revision --autogenerate` during development, with a sync URL.
    url = config.get_main_option("sqlalchemy.url") or "sqlite://"
    url = url.replace("+pysqlite", "").replace("+asyncpg", "+psycopg2")
    engine = create_engine(url)
    with engine.connect() as conn:
        _configure_and_run(conn)
        conn.commit()
