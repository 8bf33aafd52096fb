"""SQL for chat messages (comments, system messages)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from causerie.services.actors import Actor
from causerie.storage.schema import messages, rooms


async def insert(
    conn: AsyncConnection,
    *,
    room_id: int,
    actor: Actor,
    message_type: str,
    message: str,
    now: int,
    system_message: str = "",
    parameters: dict[str, Any] | None = None,
    parent_id: int | None = None,
    reference_id: str = "",
    silent: bool = False,
) -> int:
    """Store a message and make it the room's last one; returns the new id.

    The room row is updated *before* the insert: on PostgreSQL that takes the row lock first, so
    messages of one room get their ids in commit order and a poller that has seen id N can never
    later miss a message with an id below N.
    """
    await conn.execute(update(rooms).where(rooms.c.id == room_id).values(last_activity=now))
    result = await conn.execute(
        messages.insert()
        .values(
            room_id=room_id,
            actor_type=actor.type,
            actor_id=actor.id,
            actor_display_name=actor.display_name,
            message_type=message_type,
            system_message=system_message,
            message=message,
            parameters=json.dumps(parameters or {}, separators=(",", ":"), ensure_ascii=False),
            parent_id=parent_id,
            reference_id=reference_id,
            silent=silent,
            created_at=now,
        )
        .returning(messages.c.id)
    )
    message_id = int(result.scalar_one())
    await conn.execute(update(rooms).where(rooms.c.id == room_id).values(last_message_id=message_id))
    return message_id
