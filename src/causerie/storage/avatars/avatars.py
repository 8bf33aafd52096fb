"""SQL for uploaded avatars: one row per user or conversation that has one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Row

from causerie.storage.db import Conn
from causerie.storage.tables.avatars import room_avatars, user_avatars


async def user_version(conn: Conn, uid: str) -> str | None:
    row = (await conn.execute(select(user_avatars.c.version).where(user_avatars.c.uid == uid))).first()
    return None if row is None else str(row[0])


async def get_user(conn: Conn, uid: str) -> Row[Any] | None:
    return (await conn.execute(select(user_avatars).where(user_avatars.c.uid == uid))).first()


async def set_user(conn: Conn, uid: str, version: str, mime: str, data: bytes, now: int) -> None:
    await conn.execute(delete(user_avatars).where(user_avatars.c.uid == uid))
    await conn.execute(user_avatars.insert().values(uid=uid, version=version, mime=mime, data=data, updated_at=now))


async def delete_user(conn: Conn, uid: str) -> bool:
    return bool((await conn.execute(delete(user_avatars).where(user_avatars.c.uid == uid))).rowcount)


async def get_room(conn: Conn, room_id: int) -> Row[Any] | None:
    return (await conn.execute(select(room_avatars).where(room_avatars.c.room_id == room_id))).first()


async def set_room(conn: Conn, room_id: int, mime: str, data: bytes, now: int) -> None:
    await conn.execute(delete(room_avatars).where(room_avatars.c.room_id == room_id))
    await conn.execute(room_avatars.insert().values(room_id=room_id, mime=mime, data=data, updated_at=now))


async def delete_room(conn: Conn, room_id: int) -> None:
    await conn.execute(delete(room_avatars).where(room_avatars.c.room_id == room_id))
