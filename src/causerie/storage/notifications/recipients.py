"""SQL for whom a notification may go to: the user attendees of a room with their sessions' state,
and the members of groups that take part in it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Row

from causerie.storage.actors import USERS
from causerie.storage.db import Conn
from causerie.storage.tables.accounts import group_members
from causerie.storage.tables.rooms import attendees, talk_sessions

GROUPS = "groups"


async def room_users(conn: Conn, room_id: int) -> Sequence[Row[Any]]:
    """Every user attendee of the room (all columns), with ``last_ping`` (the newest of its
    sessions, 0 without one) and ``in_call`` (non-zero when a session is in the call)."""
    query = (
        select(
            attendees,
            func.coalesce(func.max(talk_sessions.c.last_ping), 0).label("session_last_ping"),
            func.coalesce(func.max(talk_sessions.c.in_call), 0).label("session_in_call"),
        )
        .select_from(attendees.outerjoin(talk_sessions, talk_sessions.c.attendee_id == attendees.c.id))
        .where(attendees.c.room_id == room_id, attendees.c.actor_type == USERS)
        .group_by(attendees.c.id)
        .order_by(attendees.c.id)
    )
    return list(await conn.execute(query))


async def members_of_room_groups(conn: Conn, room_id: int, gids: Sequence[str]) -> dict[str, list[str]]:
    """For each of ``gids`` that is a participant of the room (a group added to it), its members."""
    if not gids:
        return {}
    in_room = select(attendees.c.actor_id).where(
        attendees.c.room_id == room_id, attendees.c.actor_type == GROUPS, attendees.c.actor_id.in_(sorted(set(gids)))
    )
    query = (
        select(group_members.c.gid, group_members.c.uid)
        .where(group_members.c.gid.in_(in_room))
        .order_by(group_members.c.gid, group_members.c.uid)
    )
    found: dict[str, list[str]] = {}
    for row in await conn.execute(query):
        found.setdefault(str(row.gid), []).append(str(row.uid))
    return found
