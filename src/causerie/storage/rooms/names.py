"""Display names of users, groups and room attendees, looked up in batches for rendering."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from causerie.storage.db import Conn
from causerie.storage.tables.accounts import groups, users
from causerie.storage.tables.rooms import attendees


async def user_names(conn: Conn, uids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(uids))
    if not wanted:
        return {}
    rows = await conn.execute(select(users.c.uid, users.c.display_name).where(users.c.uid.in_(wanted)))
    return {row.uid: row.display_name for row in rows}


async def group_names(conn: Conn, gids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(gids))
    if not wanted:
        return {}
    rows = await conn.execute(select(groups.c.gid, groups.c.display_name).where(groups.c.gid.in_(wanted)))
    return {row.gid: row.display_name for row in rows}


async def attendee_names(conn: Conn, room_id: int, actor_type: str, ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await conn.execute(
        select(attendees.c.actor_id, attendees.c.display_name).where(
            attendees.c.room_id == room_id, attendees.c.actor_type == actor_type, attendees.c.actor_id.in_(wanted)
        )
    )
    return {row.actor_id: row.display_name for row in rows}
