"""The migrations create exactly the tables schema.py describes, on the test database."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from causerie.storage.db import Database
from causerie.storage.schema import include_name, metadata


def test_migrated_database_matches_schema(database_url: str, server: object) -> None:
    # `server` has started, so the migrations have run on this database.
    async def diff() -> list[object]:
        db = Database(database_url)
        try:
            async with db.read() as conn:

                def compare(sync: Connection) -> list[object]:
                    context = MigrationContext.configure(sync, opts={"include_name": include_name})
                    return list(compare_metadata(context, metadata))

                return await conn.run_sync(compare)
        finally:
            await db.dispose()

    assert asyncio.run(diff()) == []
