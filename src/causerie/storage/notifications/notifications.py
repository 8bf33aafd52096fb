"""SQL for notifications: written by the jobs that create them, read with everything rendering needs
(the room, the recipient's attendee row, the message) in one query, deleted when they stop applying."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Row

from causerie.storage.actors import USERS
from causerie.storage.db import Conn
from causerie.storage.prepared import prepared
from causerie.storage.tables.chat import messages
from causerie.storage.tables.notifications import notifications
from causerie.storage.tables.rooms import attendees, rooms

# Prefixes of the joined columns, for rows.from_row.
ROOM = "r_"
ATTENDEE = "a_"
MESSAGE = "m_"

_JOINED = select(
    notifications,
    *(column.label(ROOM + column.name) for column in rooms.c),
    *(column.label(ATTENDEE + column.name) for column in attendees.c),
    *(column.label(MESSAGE + column.name) for column in messages.c),
).select_from(
    notifications.join(rooms, rooms.c.id == notifications.c.room_id)
    .outerjoin(
        attendees,
        and_(
            attendees.c.room_id == notifications.c.room_id,
            attendees.c.actor_type == USERS,
            attendees.c.actor_id == notifications.c.uid,
        ),
    )
    .outerjoin(messages, messages.c.id == notifications.c.message_id)
)
_OF_USER = prepared(_JOINED.where(notifications.c.uid == bindparam("uid")).order_by(notifications.c.id.desc()))
_ONE = prepared(_JOINED.where(notifications.c.uid == bindparam("uid"), notifications.c.id == bindparam("id")))
_HAS_CHAT = prepared(
    select(notifications.c.id)
    .where(
        notifications.c.room_id == bindparam("room_id"),
        notifications.c.uid == bindparam("uid"),
        notifications.c.object_type == "chat",
    )
    .limit(1)
)


async def of_user(conn: Conn, uid: str) -> Sequence[Row[Any]]:
    """A user's notifications, newest first, each with its room, attendee row and message."""
    return list(await conn.execute(_OF_USER, {"uid": uid}))


async def one(conn: Conn, uid: str, notification_id: int) -> Row[Any] | None:
    return (await conn.execute(_ONE, {"uid": uid, "id": notification_id})).first()


async def existing(conn: Conn, uid: str, ids: Sequence[int]) -> list[int]:
    if not ids:
        return []
    query = select(notifications.c.id).where(notifications.c.uid == uid, notifications.c.id.in_(sorted(set(ids))))
    return [int(row.id) for row in await conn.execute(query.order_by(notifications.c.id))]


async def has_chat(conn: Conn, uid: str, room_id: int) -> bool:
    return (await conn.execute(_HAS_CHAT, {"uid": uid, "room_id": room_id})).first() is not None


async def insert(conn: Conn, values: Sequence[dict[str, Any]]) -> list[tuple[int, str]]:
    """Add notifications; a chat notification a user has for that message already is skipped (a job
    that runs again adds nothing). Returns ``(id, uid)`` of the ones added."""
    if not values:
        return []
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = (
        dialect_insert(notifications)
        .values(list(values))
        .on_conflict_do_nothing(index_elements=["uid", "message_id", "object_type"])
        .returning(notifications.c.id, notifications.c.uid)
    )
    return [(int(row.id), str(row.uid)) for row in await conn.execute(statement)]


async def _delete(conn: Conn, *conditions: Any) -> list[tuple[int, str]]:
    statement = delete(notifications).where(*conditions).returning(notifications.c.id, notifications.c.uid)
    return [(int(row.id), str(row.uid)) for row in await conn.execute(statement)]


async def delete_ids(conn: Conn, uid: str, ids: Sequence[int]) -> list[tuple[int, str]]:
    if not ids:
        return []
    return await _delete(conn, notifications.c.uid == uid, notifications.c.id.in_(sorted(set(ids))))


async def delete_of_user(conn: Conn, uid: str) -> list[tuple[int, str]]:
    return await _delete(conn, notifications.c.uid == uid)


async def delete_chat(conn: Conn, uid: str, room_id: int, up_to: int | None) -> list[tuple[int, str]]:
    """The user's chat notifications in a room (about messages up to ``up_to``, when given)."""
    conditions = [
        notifications.c.room_id == room_id,
        notifications.c.uid == uid,
        notifications.c.object_type == "chat",
    ]
    if up_to is not None:
        conditions.append(notifications.c.message_id <= up_to)
    return await _delete(conn, *conditions)


async def delete_of_message(conn: Conn, message_id: int) -> list[tuple[int, str]]:
    return await _delete(conn, notifications.c.message_id == message_id)


async def delete_calls(conn: Conn, room_id: int, uid: str | None = None) -> list[tuple[int, str]]:
    """Call notifications of a room, everyone's or one user's."""
    conditions = [notifications.c.room_id == room_id, notifications.c.object_type == "call"]
    if uid is not None:
        conditions.append(notifications.c.uid == uid)
    return await _delete(conn, *conditions)


async def delete_reminders(conn: Conn, uid: str, message_id: int) -> list[tuple[int, str]]:
    """The user's reminder notifications of a message."""
    return await _delete(
        conn,
        notifications.c.uid == uid,
        notifications.c.message_id == message_id,
        notifications.c.object_type == "reminder",
    )
