"""Posting Talk's system messages ("{actor} added {user}") into a room's chat.

Only the type and Talk's stored parameters are kept (``{"user": "bob"}``, ``{"oldName", "newName"}``,
``{"users", "guests", "duration"}`` …); the chat formatter renders them for each viewer ("You added
Bob"). The caller publishes ``room:{token}`` after its transaction commits.
"""

from __future__ import annotations

import time
from typing import Any

from causerie.services.jobs import queue as job_queue
from causerie.services.rooms.actors import Actor
from causerie.storage.chat import messages
from causerie.storage.chat import notifying as listening
from causerie.storage.db import Conn

# What bots with the webhook feature hear of a system message (``services.bots.webhooks`` runs
# it); its payload is ``{"room": room id, "message": message id}``.
BOT_SYSTEM_MESSAGE = "rooms.bot-system-message"
_FEATURE_WEBHOOK = 1  # Talk's Bot::FEATURE_WEBHOOK


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
    if await listening.bot_listening(conn, room_id, _FEATURE_WEBHOOK):
        # The job runners look every second; a poke after the commit would need the caller.
        await job_queue.enqueue(conn, BOT_SYSTEM_MESSAGE, {"room": room_id, "message": int(row.id)})
    return int(row.id)


def room_key(token: str) -> str:
    """The hub/broker key woken when a room's chat or state changes."""
    return f"room:{token}"
