"""SQL for reactions (one row per actor, message and emoji)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from causerie.storage.actors import ActorRef
from causerie.storage.db import Conn
from causerie.storage.prepared import prepared
from causerie.storage.tables.chat import reactions


async def add(conn: Conn, room_id: int, message_id: int, actor: ActorRef, reaction: str, now: int) -> bool:
    """Store the reaction; False when the actor had already given it."""
    existing = await conn.execute(
        select(reactions.c.id).where(
            reactions.c.message_id == message_id,
            reactions.c.actor_type == actor.type,
            reactions.c.actor_id == actor.id,
            reactions.c.reaction == reaction,
        )
    )
    if existing.first() is not None:
        return False
    try:
        async with conn.begin_nested():
            await conn.execute(
                reactions.insert().values(
                    message_id=message_id,
                    room_id=room_id,
                    actor_type=actor.type,
                    actor_id=actor.id,
                    actor_display_name=actor.display_name,
                    reaction=reaction,
                    created_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


async def remove(conn: Conn, message_id: int, actor: ActorRef, reaction: str) -> bool:
    result = await conn.execute(
        delete(reactions).where(
            reactions.c.message_id == message_id,
            reactions.c.actor_type == actor.type,
            reactions.c.actor_id == actor.id,
            reactions.c.reaction == reaction,
        )
    )
    return bool(result.rowcount)


async def remove_all(conn: Conn, message_id: int) -> None:
    await conn.execute(delete(reactions).where(reactions.c.message_id == message_id))


async def list_for(conn: Conn, message_id: int, reaction: str | None = None) -> list[Row[Any]]:
    """Who reacted, newest first."""
    query = select(reactions).where(reactions.c.message_id == message_id)
    if reaction is not None:
        query = query.where(reactions.c.reaction == reaction)
    return list(await conn.execute(query.order_by(reactions.c.id.desc())))


def _counts(condition: Any) -> Any:
    return (
        select(reactions.c.message_id, reactions.c.reaction, func.count(), func.min(reactions.c.id).label("first"))
        .where(condition)
        .group_by(reactions.c.message_id, reactions.c.reaction)
        .order_by("first")
    )


# A long-poll usually wakes for one new message: that case is a prepared statement.
_COUNTS_OF_ONE = prepared(_counts(reactions.c.message_id == bindparam("message_id")))


async def counts(conn: Conn, message_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """``{message_id: {emoji: count}}`` in the order the emojis were first given."""
    wanted = sorted(set(message_ids))
    if not wanted:
        return {}
    if len(wanted) == 1:
        rows = await conn.execute(_COUNTS_OF_ONE, {"message_id": wanted[0]})
    else:
        rows = await conn.execute(_counts(reactions.c.message_id.in_(wanted)))
    found: dict[int, dict[str, int]] = {}
    for message_id, reaction, count, _first in rows:
        found.setdefault(int(message_id), {})[reaction] = int(count)
    return found


async def given_by(conn: Conn, message_ids: Iterable[int], actor: ActorRef) -> dict[int, list[str]]:
    """The emojis ``actor`` gave on each of the messages."""
    wanted = sorted(set(message_ids))
    if not wanted:
        return {}
    query = (
        select(reactions.c.message_id, reactions.c.reaction)
        .where(
            reactions.c.message_id.in_(wanted),
            reactions.c.actor_type == actor.type,
            reactions.c.actor_id == actor.id,
        )
        .order_by(reactions.c.id)
    )
    found: dict[int, list[str]] = {}
    for message_id, reaction in await conn.execute(query):
        found.setdefault(int(message_id), []).append(reaction)
    return found


async def of_room(conn: Conn, room_id: int) -> list[Row[Any]]:
    """Every reaction given in a room, in the order they were given (exports)."""
    query = select(reactions).where(reactions.c.room_id == room_id).order_by(reactions.c.id)
    return list(await conn.execute(query))


async def insert_row(conn: Conn, values: dict[str, Any]) -> None:
    """A reaction with every column given (imports)."""
    await conn.execute(reactions.insert().values(values))
