"""People search stays off full scans for prefixes: the planner of each engine can answer a
prefix search from the lower-cased columns' indexes (on PostgreSQL only with text_pattern_ops,
since its default collation does not order strings by bytes)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from causerie.storage.accounts import search
from causerie.storage.db import Database
from tests.support.server import ServerProcess


@pytest.mark.parametrize(("by_name", "index"), [(True, "ix_users_name_lower"), (False, "ix_users_uid_lower")])
def test_a_prefix_search_reads_an_index(server: ServerProcess, database_url: str, by_name: bool, index: str) -> None:
    async def plan() -> str:
        db = Database(database_url)
        try:
            async with db.read() as conn:
                query = search.prefix_query(conn, by_name, "mar", 10)
                sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
                if conn.dialect.name == "postgresql":
                    # The test table is tiny: make the planner say what it could do on a large one.
                    await conn.execute(text("SET LOCAL enable_seqscan = off"))
                    return "\n".join(row[0] for row in await conn.execute(text(f"EXPLAIN {sql}")))
                return "\n".join(str(row[-1]) for row in await conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
        finally:
            await db.dispose()

    found = asyncio.run(plan())
    assert index in found, found


def test_prefix_end_is_the_first_string_past_the_prefix() -> None:
    assert search.prefix_end("mar") == "mas"
    assert search.prefix_end("a\U0010ffff") == "b"
    assert search.prefix_end("\ud7ff") == "\ue000"
    assert search.prefix_end("") is None
