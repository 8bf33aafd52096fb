"""SQL for call state: a session's in-call flags, a room's active call, who took part since when."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Row

from causerie.storage.db import Conn
from causerie.storage.tables.rooms import attendees, rooms, talk_sessions

# An attendee row (``id`` is the attendee's) with the session's columns.
_SESSION_COLUMNS = (*attendees.c, talk_sessions.c.session_id, talk_sessions.c.in_call, talk_sessions.c.last_ping)


async def room_sessions(conn: Conn, room_id: int, *, pinged_since: int, in_call: bool = False) -> Sequence[Row[Any]]:
    """The room's sessions pinged at or after ``pinged_since`` (only those in the call if asked)."""
    query = (
        select(*_SESSION_COLUMNS)
        .join(attendees, attendees.c.id == talk_sessions.c.attendee_id)
        .where(attendees.c.room_id == room_id, talk_sessions.c.last_ping >= pinged_since)
        .order_by(talk_sessions.c.id)
    )
    if in_call:
        query = query.where(talk_sessions.c.in_call != 0)
    return (await conn.execute(query)).all()


async def count_in_call(conn: Conn, room_id: int, *, pinged_since: int, except_session: str | None) -> int:
    query = (
        select(func.count())
        .select_from(talk_sessions.join(attendees, attendees.c.id == talk_sessions.c.attendee_id))
        .where(
            attendees.c.room_id == room_id,
            talk_sessions.c.in_call != 0,
            talk_sessions.c.last_ping >= pinged_since,
        )
    )
    if except_session is not None:
        query = query.where(talk_sessions.c.session_id != except_session)
    return int((await conn.execute(query)).scalar_one())


async def set_in_call(conn: Conn, session_id: str, flags: int) -> None:
    await conn.execute(update(talk_sessions).where(talk_sessions.c.session_id == session_id).values(in_call=flags))


async def disconnect_room(conn: Conn, room_id: int) -> None:
    attendee_ids = select(attendees.c.id).where(attendees.c.room_id == room_id).scalar_subquery()
    await conn.execute(
        update(talk_sessions)
        .where(talk_sessions.c.attendee_id.in_(attendee_ids), talk_sessions.c.in_call != 0)
        .values(in_call=0)
    )


async def mark_joined(conn: Conn, attendee_id: int, now: int) -> None:
    await conn.execute(
        update(attendees).where(attendees.c.id == attendee_id).values(last_joined_call=now, last_attendee_activity=now)
    )


async def start(conn: Conn, room_id: int, *, now: int, actor_type: str, actor_id: str) -> bool:
    """Mark the room's call active since ``now``; False when another request started it first."""
    result = await conn.execute(
        update(rooms)
        .where(rooms.c.id == room_id, rooms.c.active_since.is_(None))
        .values(active_since=now, call_started_by_type=actor_type, call_started_by_id=actor_id)
    )
    return bool(result.rowcount)


async def end(conn: Conn, room_id: int) -> bool:
    """Reset the room's call; False when it had no active call (someone else ended it)."""
    result = await conn.execute(
        update(rooms)
        .where(rooms.c.id == room_id, rooms.c.active_since.is_not(None))
        .values(active_since=None, call_flag=0, call_started_by_type=None, call_started_by_id=None)
    )
    return bool(result.rowcount)


async def set_call_flag(conn: Conn, room_id: int, flag: int) -> None:
    await conn.execute(update(rooms).where(rooms.c.id == room_id).values(call_flag=flag))


async def active_since(conn: Conn, room_id: int) -> int | None:
    value = (await conn.execute(select(rooms.c.active_since).where(rooms.c.id == room_id))).scalar()
    return None if value is None else int(value)


async def joined_since(conn: Conn, room_id: int, since: int) -> list[tuple[str, str]]:
    """(actor type, actor id) of the attendees who joined the call at or after ``since``."""
    query = (
        select(attendees.c.actor_type, attendees.c.actor_id)
        .where(attendees.c.room_id == room_id, attendees.c.last_joined_call >= since)
        .order_by(attendees.c.id)
    )
    return [(str(row.actor_type), str(row.actor_id)) for row in await conn.execute(query)]


async def ping(conn: Conn, session_ids: Sequence[str], now: int) -> None:
    if session_ids:
        await conn.execute(
            update(talk_sessions).where(talk_sessions.c.session_id.in_(list(session_ids))).values(last_ping=now)
        )
