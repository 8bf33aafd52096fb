"""Locks that make start-up work safe when several processes start together on one database."""

from __future__ import annotations

from sqlalchemy import text

from causerie.storage.db import Conn

# pg_advisory_xact_lock keys. "causerie" in ASCII, as a 64-bit integer, for the migrations.
MIGRATIONS = 0x636175736572_6965
FIRST_ADMIN = MIGRATIONS + 1


async def for_this_transaction(conn: Conn, key: int) -> None:
    """Wait until no other transaction holds ``key``, and hold it until this one ends.

    On PostgreSQL an advisory lock; on SQLite nothing is needed, since every write transaction
    begins with ``BEGIN IMMEDIATE`` and so already runs alone.
    """
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
