"""SQL of Talk's attachments table: which messages of a conversation shared what kind of object."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select

from causerie.storage.db import Conn
from causerie.storage.tables.chat import chat_attachments, messages


async def add(conn: Conn, message_id: int, room_id: int, object_type: str, now: int) -> None:
    values = {"message_id": message_id, "room_id": room_id, "object_type": object_type, "created_at": now}
    await conn.execute(chat_attachments.insert().values(**values))


async def remove(conn: Conn, message_id: int) -> None:
    await conn.execute(delete(chat_attachments).where(chat_attachments.c.message_id == message_id))


async def messages_of(conn: Conn, room_id: int, object_type: str, before: int, limit: int) -> list[Any]:
    """Messages of one kind, newest first, with ids below ``before`` (0: from the newest)."""
    query = (
        select(messages)
        .join(chat_attachments, chat_attachments.c.message_id == messages.c.id)
        .where(chat_attachments.c.room_id == room_id, chat_attachments.c.object_type == object_type)
    )
    if before > 0:
        query = query.where(chat_attachments.c.message_id < before)
    return list(await conn.execute(query.order_by(chat_attachments.c.message_id.desc()).limit(limit)))


async def count(conn: Conn, room_id: int) -> int:
    query = select(func.count()).select_from(chat_attachments).where(chat_attachments.c.room_id == room_id)
    return int((await conn.execute(query)).scalar_one())
