"""SQL of "remind me later": one reminder per user and message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.engine import Row

from causerie.storage.actors import USERS
from causerie.storage.db import Conn, insert_id
from causerie.storage.tables.chat import messages
from causerie.storage.tables.notifications import reminders
from causerie.storage.tables.rooms import attendees, rooms


async def replace(conn: Conn, *, uid: str, room_id: int, message_id: int, remind_at: int) -> int:
    """Set the user's reminder of a message (a new row: a job scheduled for an older one finds
    nothing); returns its id."""
    await conn.execute(delete(reminders).where(reminders.c.uid == uid, reminders.c.message_id == message_id))
    values = {"uid": uid, "room_id": room_id, "message_id": message_id, "remind_at": remind_at}
    return await insert_id(conn, insert(reminders), values)


async def of_message(conn: Conn, uid: str, message_id: int) -> Row[Any] | None:
    query = select(reminders).where(reminders.c.uid == uid, reminders.c.message_id == message_id)
    return (await conn.execute(query)).first()


async def by_id(conn: Conn, reminder_id: int) -> Row[Any] | None:
    return (await conn.execute(select(reminders).where(reminders.c.id == reminder_id))).first()


async def delete_of_message(conn: Conn, uid: str, message_id: int) -> bool:
    result = await conn.execute(delete(reminders).where(reminders.c.uid == uid, reminders.c.message_id == message_id))
    return bool(result.rowcount)


async def delete_id(conn: Conn, reminder_id: int) -> bool:
    return bool((await conn.execute(delete(reminders).where(reminders.c.id == reminder_id))).rowcount)


async def upcoming(conn: Conn, uid: str, after: int, limit: int) -> Sequence[Row[Any]]:
    """The user's reminders due after ``after``, soonest first, in conversations the user is still
    in, with the message (``m_*``), the room's token and the user's ``sensitive`` flag."""
    query = (
        select(
            reminders.c.remind_at,
            reminders.c.message_id,
            rooms.c.token,
            attendees.c.sensitive,
            messages.c.actor_type,
            messages.c.actor_id,
            messages.c.actor_display_name,
            messages.c.message,
            messages.c.parameters,
            messages.c.expire_at,
        )
        .select_from(
            reminders.join(rooms, rooms.c.id == reminders.c.room_id)
            .join(messages, messages.c.id == reminders.c.message_id)
            .join(
                attendees,
                and_(
                    attendees.c.room_id == reminders.c.room_id,
                    attendees.c.actor_type == USERS,
                    attendees.c.actor_id == reminders.c.uid,
                ),
            )
        )
        .where(reminders.c.uid == uid, reminders.c.remind_at > after)
        .order_by(reminders.c.remind_at, reminders.c.id)
        .limit(limit)
    )
    return list(await conn.execute(query))
