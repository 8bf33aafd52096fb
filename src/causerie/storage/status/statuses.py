"""SQL for user statuses (one row per user who ever had one, as the user_status app keeps them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Row

from causerie.storage.db import Conn
from causerie.storage.prepared import prepared
from causerie.storage.tables.status import user_statuses

_GET = prepared(select(user_statuses).where(user_statuses.c.uid == bindparam("uid")))


async def get(conn: Conn, uid: str) -> Row[Any] | None:
    return (await conn.execute(_GET, {"uid": uid})).first()


async def get_many(conn: Conn, uids: Sequence[str]) -> list[Row[Any]]:
    """The rows of all ``uids`` that have one, in one query."""
    if not uids:
        return []
    return list(await conn.execute(select(user_statuses).where(user_statuses.c.uid.in_(sorted(set(uids))))))


async def list_all(conn: Conn, *, limit: int | None, offset: int | None) -> list[Row[Any]]:
    query = select(user_statuses).order_by(user_statuses.c.uid)
    if limit is not None:
        query = query.limit(limit)
    if offset is not None:
        query = query.offset(offset)
    return list(await conn.execute(query))


async def save(conn: Conn, values: dict[str, Any]) -> None:
    """Insert or replace the user's row (``values`` holds every column)."""
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(user_statuses).values(**values)
    changes = {key: statement.excluded[key] for key in values if key != "uid"}
    await conn.execute(statement.on_conflict_do_update(index_elements=["uid"], set_=changes))
