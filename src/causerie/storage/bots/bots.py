"""SQL of bots: the installed bots, the conversations they are enabled in, their delivery errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Row

from causerie.storage.db import Conn, insert_id
from causerie.storage.tables.bots import bots_conversation, bots_server
from causerie.storage.tables.rooms import rooms

DISABLED = 0
ENABLED = 1


async def insert_bot(conn: Conn, **values: Any) -> int:
    return await insert_id(conn, insert(bots_server), values)


async def by_id(conn: Conn, bot_id: int) -> Row[Any] | None:
    return (await conn.execute(select(bots_server).where(bots_server.c.id == bot_id))).first()


async def by_url(conn: Conn, url: str) -> Row[Any] | None:
    return (await conn.execute(select(bots_server).where(bots_server.c.url == url))).first()


async def secret_taken(conn: Conn, secret: str) -> bool:
    return (await conn.execute(select(bots_server.c.id).where(bots_server.c.secret == secret))).first() is not None


async def url_hash_taken(conn: Conn, url_hash: str) -> bool:
    query = select(bots_server.c.id).where(bots_server.c.url_hash == url_hash)
    return (await conn.execute(query)).first() is not None


async def all_bots(conn: Conn) -> Sequence[Row[Any]]:
    return list(await conn.execute(select(bots_server).order_by(bots_server.c.id)))


async def update_bot(conn: Conn, bot_id: int, **values: Any) -> None:
    await conn.execute(update(bots_server).where(bots_server.c.id == bot_id).values(**values))


async def delete_bot(conn: Conn, bot_id: int) -> None:
    await conn.execute(delete(bots_conversation).where(bots_conversation.c.bot_id == bot_id))
    await conn.execute(delete(bots_server).where(bots_server.c.id == bot_id))


async def record_error(conn: Conn, bot_id: int, message: str, now: int) -> None:
    await conn.execute(
        update(bots_server)
        .where(bots_server.c.id == bot_id)
        .values(error_count=bots_server.c.error_count + 1, last_error_date=now, last_error_message=message[:4000])
    )


async def enabled_in_room(conn: Conn, room_id: int) -> Sequence[Row[Any]]:
    """The bots enabled in a conversation (and not disabled on the server), by id."""
    query = (
        select(bots_server)
        .join(bots_conversation, bots_conversation.c.bot_id == bots_server.c.id)
        .where(
            bots_conversation.c.room_id == room_id,
            bots_conversation.c.state == ENABLED,
            bots_server.c.state != DISABLED,
        )
        .order_by(bots_server.c.id)
    )
    return list(await conn.execute(query))


async def is_enabled(conn: Conn, bot_id: int, room_id: int) -> bool:
    query = select(bots_conversation.c.id).where(
        bots_conversation.c.bot_id == bot_id, bots_conversation.c.room_id == room_id
    )
    return (await conn.execute(query)).first() is not None


async def enable(conn: Conn, bot_id: int, room_id: int) -> bool:
    """False when it was enabled already."""
    if await is_enabled(conn, bot_id, room_id):
        return False
    await conn.execute(insert(bots_conversation).values(bot_id=bot_id, room_id=room_id, state=ENABLED))
    return True


async def disable(conn: Conn, bot_id: int, room_id: int) -> bool:
    result = await conn.execute(
        delete(bots_conversation).where(bots_conversation.c.bot_id == bot_id, bots_conversation.c.room_id == room_id)
    )
    return bool(result.rowcount)


async def room_tokens_of(conn: Conn, bot_id: int) -> list[str]:
    query = (
        select(rooms.c.token)
        .join(bots_conversation, bots_conversation.c.room_id == rooms.c.id)
        .where(bots_conversation.c.bot_id == bot_id)
        .order_by(rooms.c.token)
    )
    return [str(row.token) for row in await conn.execute(query)]


async def bot_ids_in_room(conn: Conn, room_id: int) -> set[int]:
    query = select(bots_conversation.c.bot_id).where(bots_conversation.c.room_id == room_id)
    return {int(row.bot_id) for row in await conn.execute(query)}
