"""Reactions on messages, and the system messages clients use to keep their counters right.

Adding a reaction posts a ``reaction`` system message (its text is the emoji); removing one turns
that message into a ``reaction_deleted`` stub and posts ``reaction_revoked``, as Talk does.
"""

from __future__ import annotations

import time
from typing import Any

from causerie.services.chat.format import COMMENT
from causerie.services.chat.messages import require_can_chat, require_no_lobby
from causerie.services.errors import BadRequest, NotFound
from causerie.services.rooms.participants import Participant
from causerie.services.rooms.rooms import Room
from causerie.services.rooms.system_messages import post as post_system
from causerie.storage.chat import messages as message_store
from causerie.storage.chat import reactions as store
from causerie.storage.db import Conn

MAX_REACTION_LENGTH = 20


def check_reaction(reaction: str) -> str:
    """Talk accepts any short string as a reaction (clients send emoji with variation selectors)."""
    if not reaction.strip() or len(reaction) > MAX_REACTION_LENGTH:
        raise BadRequest(data=None)
    return reaction


async def _checked(conn: Conn, room: Room, participant: Participant, message_id: int, reaction: str) -> str:
    """The rules adding and removing a reaction share; returns the reaction to store."""
    require_no_lobby(room, participant)
    require_can_chat(participant)
    reaction = check_reaction(reaction)
    row = await message_store.get(conn, room.id, message_id)
    if row is None or row.message_type != COMMENT:
        raise NotFound(data=None)
    return reaction


async def add(
    conn: Conn,
    room: Room,
    participant: Participant,
    message_id: int,
    reaction: str,
    *,
    now: int | None = None,
) -> bool:
    """React; False when the participant had already given this reaction (Talk answers 200, not 201)."""
    reaction = await _checked(conn, room, participant, message_id, reaction)
    now = int(time.time()) if now is None else now
    if not await store.add(conn, room.id, message_id, participant.actor, reaction, now):
        return False
    await post_system(
        conn, room.id, participant.actor, "reaction", {"reaction": reaction}, now=now, parent_id=message_id
    )
    return True


async def remove(
    conn: Conn,
    room: Room,
    participant: Participant,
    message_id: int,
    reaction: str,
    *,
    now: int | None = None,
) -> None:
    reaction = await _checked(conn, room, participant, message_id, reaction)
    if not await store.remove(conn, message_id, participant.actor, reaction):
        raise NotFound(data=None)
    now = int(time.time()) if now is None else now
    original = await message_store.find_reaction_message(conn, room.id, message_id, participant.actor, reaction)
    if original is not None:
        await message_store.replace(
            conn, original, message_type="system", system_message="reaction_deleted", message="", parameters={}
        )
    await post_system(conn, room.id, participant.actor, "reaction_revoked", {}, now=now, parent_id=message_id)


async def listing(conn: Conn, room: Room, message_id: int, reaction: str | None = None) -> dict[str, Any]:
    """``{emoji: [{actorType, actorId, actorDisplayName, timestamp}]}``, newest first."""
    require_message = await message_store.get(conn, room.id, message_id)
    if require_message is None:
        raise NotFound(data=None)
    found: dict[str, list[dict[str, Any]]] = {}
    for row in await store.list_for(conn, message_id, reaction):
        found.setdefault(row.reaction, []).append(
            {
                "actorType": row.actor_type,
                "actorId": row.actor_id,
                "actorDisplayName": row.actor_display_name,
                "timestamp": int(row.created_at),
            }
        )
    return found
