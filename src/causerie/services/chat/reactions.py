"""Reactions on messages, and the system messages clients use to keep their counters right.

Adding a reaction posts a ``reaction`` system message (its text is the emoji); removing one turns
that message into a ``reaction_deleted`` stub and posts ``reaction_revoked``, as Talk does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from causerie.services.chat import notifying
from causerie.services.chat.format import COMMENT
from causerie.services.chat.messages import require_can_chat, require_no_lobby
from causerie.services.errors import BadRequest, NotFound
from causerie.services.rooms.actors import Actor
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


@dataclass(frozen=True)
class Reacted:
    changed: bool  # False: the reaction was there already (Talk answers 200, not 201)
    told_bots: bool = False  # a webhook job was enqueued: wake the job runners after the commit


async def _message(conn: Conn, room: Room, message_id: int) -> None:
    row = await message_store.get(conn, room.id, message_id)
    if row is None or row.message_type != COMMENT:
        raise NotFound(data=None)


def _check_participant(room: Room, participant: Participant) -> None:
    require_no_lobby(room, participant)
    require_can_chat(participant)


async def add(
    conn: Conn, room: Room, participant: Participant, message_id: int, reaction: str, *, now: int | None = None
) -> Reacted:
    _check_participant(room, participant)
    return await add_as(conn, room, participant.actor, message_id, reaction, now=now)


async def add_as(
    conn: Conn, room: Room, actor: Actor, message_id: int, reaction: str, *, now: int | None = None
) -> Reacted:
    """React as ``actor`` (a participant, or a bot answering through its webhook)."""
    reaction = check_reaction(reaction)
    await _message(conn, room, message_id)
    now = int(time.time()) if now is None else now
    if not await store.add(conn, room.id, message_id, actor, reaction, now):
        return Reacted(False)
    await post_system(conn, room.id, actor, "reaction", {"reaction": reaction}, now=now, parent_id=message_id)
    told = await notifying.tell_bots_reaction(conn, room, actor, message_id, reaction, removed=False)
    return Reacted(True, told)


async def remove(
    conn: Conn, room: Room, participant: Participant, message_id: int, reaction: str, *, now: int | None = None
) -> Reacted:
    _check_participant(room, participant)
    return await remove_as(conn, room, participant.actor, message_id, reaction, now=now)


async def remove_as(
    conn: Conn, room: Room, actor: Actor, message_id: int, reaction: str, *, now: int | None = None
) -> Reacted:
    reaction = check_reaction(reaction)
    await _message(conn, room, message_id)
    if not await store.remove(conn, message_id, actor, reaction):
        raise NotFound(data=None)
    now = int(time.time()) if now is None else now
    original = await message_store.find_reaction_message(conn, room.id, message_id, actor, reaction)
    if original is not None:
        await message_store.replace(
            conn, original, message_type="system", system_message="reaction_deleted", message="", parameters={}
        )
    await post_system(conn, room.id, actor, "reaction_revoked", {}, now=now, parent_id=message_id)
    told = await notifying.tell_bots_reaction(conn, room, actor, message_id, reaction, removed=True)
    return Reacted(True, told)


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
