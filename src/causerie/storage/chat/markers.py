"""SQL for the chat markers kept on attendees: last read message and last mentions."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, bindparam, or_, select, update

from causerie.storage.actors import USERS
from causerie.storage.db import Conn
from causerie.storage.prepared import prepared
from causerie.storage.tables.accounts import group_members
from causerie.storage.tables.rooms import attendees

_SET_LAST_READ = prepared(
    update(attendees)
    .where(attendees.c.id == bindparam("attendee_id"))
    .values(last_read_message=bindparam("message_id"))
)


async def set_last_read(conn: Conn, attendee_id: int, message_id: int) -> None:
    await conn.execute(_SET_LAST_READ, {"attendee_id": attendee_id, "message_id": message_id})


async def set_display_name(conn: Conn, attendee_id: int, name: str) -> None:
    await conn.execute(update(attendees).where(attendees.c.id == attendee_id).values(display_name=name))


async def mark_everyone(conn: Conn, room_id: int, message_id: int, *, exclude: int) -> None:
    await conn.execute(
        update(attendees)
        .where(attendees.c.room_id == room_id, attendees.c.id != exclude)
        .values(last_mention_message=message_id)
    )


async def mark_group_members(conn: Conn, room_id: int, gids: Iterable[str], message_id: int, *, exclude: int) -> None:
    members = select(group_members.c.uid).where(group_members.c.gid.in_(sorted(set(gids))))
    await conn.execute(
        update(attendees)
        .where(
            attendees.c.room_id == room_id,
            attendees.c.id != exclude,
            attendees.c.actor_type == USERS,
            attendees.c.actor_id.in_(members),
        )
        .values(last_mention_message=message_id)
    )


async def mark_direct(
    conn: Conn, room_id: int, actors: Iterable[tuple[str, str]], message_id: int, *, exclude: int
) -> None:
    matches = [and_(attendees.c.actor_type == t, attendees.c.actor_id == i) for t, i in sorted(set(actors))]
    await conn.execute(
        update(attendees)
        .where(attendees.c.room_id == room_id, attendees.c.id != exclude, or_(*matches))
        .values(last_mention_message=message_id, last_mention_direct=message_id)
    )


async def reset_room(conn: Conn, room_id: int) -> None:
    """Forget read and mention markers, for a room whose history was cleared."""
    await conn.execute(
        update(attendees)
        .where(attendees.c.room_id == room_id)
        .values(last_read_message=0, last_mention_message=0, last_mention_direct=0)
    )
