"""Posting Talk's system messages ("{actor} added {user}") into a room's chat.

Only the type and Talk's stored parameters are kept (``{"user": "bob"}``, ``{"oldName", "newName"}``,
``{"users", "guests", "duration"}`` …); the chat formatter renders them for each viewer ("You added
Bob"). The caller publishes ``room:{token}`` after its transaction commits.
"""

from __future__ import annotations

import time
from typing import Any

from causerie.services.rooms.actors import Actor
from causerie.storage.chat import messages
from causerie.storage.db import Conn


async def post(
    conn: Conn,
    room_id: int,
    actor: Actor,
    name: str,
    parameters: dict[str, Any] | None = None,
    *,
    now: int | None = None,
    parent_id: int | None = None,
    silent: bool = False,
) -> int:
    """Store system message ``name`` in the room, inside the caller's write transaction; its id."""
    row = await messages.insert(
        conn,
        room_id=room_id,
        actor=actor,
        message_type="system",
        system_message=name,
        message=name,
        parameters=parameters or {},
        now=int(time.time()) if now is None else now,
        parent_id=parent_id,
        silent=silent,
    )
    return int(row.id)


def room_key(token: str) -> str:
    """The hub/broker key woken when a room's chat or state changes."""
    return f"room:{token}"
