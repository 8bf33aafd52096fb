"""SQL for attendees (membership of a room) and Talk sessions (an attendee's open connections)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Row

from causerie.storage.db import Conn, insert_id
from causerie.storage.prepared import prepared
from causerie.storage.tables.rooms import attendees, talk_sessions

# --- attendees ----------------------------------------------------------------------------------


_ATTENDEE = prepared(
    select(attendees).where(
        attendees.c.room_id == bindparam("room_id"),
        attendees.c.actor_type == bindparam("actor_type"),
        attendees.c.actor_id == bindparam("actor_id"),
    )
)
_ATTENDEE_BY_ID = prepared(
    select(attendees).where(attendees.c.room_id == bindparam("room_id"), attendees.c.id == bindparam("attendee_id"))
)
_MIN_LAST_READ = prepared(
    select(func.min(attendees.c.last_read_message)).where(
        attendees.c.room_id == bindparam("room_id"), attendees.c.actor_type == "users", attendees.c.read_privacy == 0
    )
)
_SESSION = prepared(select(talk_sessions).where(talk_sessions.c.session_id == bindparam("session_id")))


async def get_attendee(conn: Conn, room_id: int, actor_type: str, actor_id: str) -> Row[Any] | None:
    params = {"room_id": room_id, "actor_type": actor_type, "actor_id": actor_id}
    return (await conn.execute(_ATTENDEE, params)).first()


async def get_attendee_by_id(conn: Conn, room_id: int, attendee_id: int) -> Row[Any] | None:
    return (await conn.execute(_ATTENDEE_BY_ID, {"room_id": room_id, "attendee_id": attendee_id})).first()


async def list_attendees(conn: Conn, room_id: int) -> Sequence[Row[Any]]:
    query = select(attendees).where(attendees.c.room_id == room_id).order_by(attendees.c.id)
    return (await conn.execute(query)).all()


async def insert_attendee(conn: Conn, **values: Any) -> int:
    return await insert_id(conn, attendees.insert().values(**values))


async def update_attendee(conn: Conn, attendee_id: int, **values: Any) -> None:
    await conn.execute(update(attendees).where(attendees.c.id == attendee_id).values(**values))


async def delete_attendee(conn: Conn, attendee_id: int) -> None:
    await conn.execute(delete(attendees).where(attendees.c.id == attendee_id))


async def count_attendees(conn: Conn, room_id: int, *, actor_type: str | None = None) -> int:
    query = select(func.count()).select_from(attendees).where(attendees.c.room_id == room_id)
    if actor_type is not None:
        query = query.where(attendees.c.actor_type == actor_type)
    return int((await conn.execute(query)).scalar_one())


async def count_by_types(conn: Conn, room_id: int, participant_types: Sequence[int]) -> int:
    query = (
        select(func.count())
        .select_from(attendees)
        .where(attendees.c.room_id == room_id, attendees.c.participant_type.in_(list(participant_types)))
    )
    return int((await conn.execute(query)).scalar_one())


async def min_last_read(conn: Conn, room_id: int) -> int:
    """Talk's "last common read": the lowest read marker of the users who share theirs."""
    return int((await conn.execute(_MIN_LAST_READ, {"room_id": room_id})).scalar() or 0)


async def attendees_of_actor(
    conn: Conn, actor_type: str, actor_id: str, room_ids: Sequence[int]
) -> dict[int, Row[Any]]:
    """The actor's attendee row in each of ``room_ids`` it belongs to, by room id."""
    if not room_ids:
        return {}
    query = select(attendees).where(
        attendees.c.actor_type == actor_type, attendees.c.actor_id == actor_id, attendees.c.room_id.in_(room_ids)
    )
    return {int(row.room_id): row for row in await conn.execute(query)}


async def min_last_read_of_rooms(conn: Conn, room_ids: Sequence[int]) -> dict[int, int]:
    """``min_last_read`` of each room, in one statement (rooms without such users are left out)."""
    if not room_ids:
        return {}
    query = (
        select(attendees.c.room_id, func.min(attendees.c.last_read_message).label("common"))
        .where(attendees.c.room_id.in_(room_ids), attendees.c.actor_type == "users", attendees.c.read_privacy == 0)
        .group_by(attendees.c.room_id)
    )
    return {int(row.room_id): int(row.common or 0) for row in await conn.execute(query)}


# --- Talk sessions ------------------------------------------------------------------------------


async def insert_session(conn: Conn, **values: Any) -> int:
    return await insert_id(conn, talk_sessions.insert().values(**values))


async def get_session(conn: Conn, session_id: str) -> Row[Any] | None:
    return (await conn.execute(_SESSION, {"session_id": session_id})).first()


async def get_sessions(conn: Conn, session_ids: Sequence[str]) -> dict[str, Row[Any]]:
    if not session_ids:
        return {}
    query = select(talk_sessions).where(talk_sessions.c.session_id.in_(session_ids))
    return {row.session_id: row for row in await conn.execute(query)}


async def sessions_of(conn: Conn, attendee_ids: Sequence[int]) -> Sequence[Row[Any]]:
    if not attendee_ids:
        return []
    query = (
        select(talk_sessions).where(talk_sessions.c.attendee_id.in_(list(attendee_ids))).order_by(talk_sessions.c.id)
    )
    return (await conn.execute(query)).all()


async def delete_session(conn: Conn, session_id: str) -> None:
    await conn.execute(delete(talk_sessions).where(talk_sessions.c.session_id == session_id))


async def update_session(conn: Conn, session_id: str, **values: Any) -> None:
    await conn.execute(update(talk_sessions).where(talk_sessions.c.session_id == session_id).values(**values))
