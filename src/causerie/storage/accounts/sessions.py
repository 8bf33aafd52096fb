"""SQL for browser and guest sessions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.engine import Row

from causerie.storage.db import Conn
from causerie.storage.prepared import prepared
from causerie.storage.tables.accounts import http_sessions

_SESSION = prepared(select(http_sessions).where(http_sessions.c.id_hash == bindparam("id_hash")))


async def get(conn: Conn, id_hash: str) -> Row[Any] | None:
    return (await conn.execute(_SESSION, {"id_hash": id_hash})).first()


async def insert(conn: Conn, id_hash: str, uid: str | None, csrf_token: str, now: int) -> None:
    await conn.execute(
        http_sessions.insert().values(
            id_hash=id_hash, uid=uid, csrf_token=csrf_token, data="{}", created_at=now, last_seen=now
        )
    )


async def update_data(conn: Conn, id_hash: str, data: str, now: int) -> None:
    await conn.execute(update(http_sessions).where(http_sessions.c.id_hash == id_hash).values(data=data, last_seen=now))


async def touch(conn: Conn, id_hash: str, now: int) -> None:
    await conn.execute(update(http_sessions).where(http_sessions.c.id_hash == id_hash).values(last_seen=now))


async def purge(conn: Conn, *, anonymous_before: int, users_before: int) -> int:
    """Sessions unused since the given times (anonymous ones and those of users apart)."""
    result = await conn.execute(
        sa.delete(http_sessions).where(
            or_(
                and_(http_sessions.c.uid.is_(None), http_sessions.c.last_seen < anonymous_before),
                and_(http_sessions.c.uid.is_not(None), http_sessions.c.last_seen < users_before),
            )
        )
    )
    return int(result.rowcount)


async def delete(conn: Conn, id_hash: str) -> None:
    await conn.execute(sa.delete(http_sessions).where(http_sessions.c.id_hash == id_hash))


async def delete_for_user(conn: Conn, uid: str) -> int:
    """End every browser session of a user ("sign out everywhere", a disabled account)."""
    result = await conn.execute(sa.delete(http_sessions).where(http_sessions.c.uid == uid))
    return int(result.rowcount)
