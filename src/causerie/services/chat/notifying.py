"""What a posted comment tells the notifications: a durable job, enqueued in the send's own
transaction, that ``services.notifications`` runs right after the commit to notify whoever Talk
would (mentions, replies, one-to-one messages, attendees who asked for every message).

The send itself only decides whether anyone *could* be notified, without looking at the
attendees one by one: a silent message never notifies; a mention, a reply to a user or a
one-to-one message may; any other message only when an attendee of the room wants every message
(one indexed probe). A group conversation where nobody asked for more than mentions therefore
costs the send nothing but that probe, and fan-out to many attendees happens in the job.
"""

from __future__ import annotations

from typing import Any

from causerie.services.jobs import queue as job_queue
from causerie.services.rooms.actors import BOTS, USERS, Actor
from causerie.services.rooms.rooms import ONE_TO_ONE, Room
from causerie.storage.chat import notifying as store
from causerie.storage.db import Conn

# The job kind; its payload is ``{"room": room id, "message": message id}``.
MESSAGE_POSTED = "chat.message-posted"
# What bots hear of (``services.bots.webhooks`` runs them): a comment posted (payload as above) and a
# reaction added or removed (``{"room", "message", "actorType", "actorId", "actorName", "reaction",
# "removed"}``). Enqueued only when a bot with the matching feature is enabled in the conversation.
BOT_MESSAGE = "chat.bot-message"
BOT_REACTION = "chat.bot-reaction"
# Talk's bot features (``Bot::FEATURE_*``).
FEATURE_WEBHOOK = 1
FEATURE_RESPONSE = 2
FEATURE_EVENT = 4
FEATURE_REACTION = 8


async def may_notify(conn: Conn, room: Room, author: Actor, parameters: dict[str, Any], parent: Any) -> bool:
    if room.type == ONE_TO_ONE:
        return True
    if any(parameter.get("type") in ("user", "user-group", "call") for parameter in parameters.values()):
        return True
    if (
        parent is not None
        and parent.actor_type == USERS
        and (parent.actor_type, parent.actor_id)
        != (
            author.type,
            author.id,
        )
    ):
        return True
    return await store.anyone_notified_always(conn, room.id)


async def announce(
    conn: Conn, room: Room, author: Actor, message_id: int, parameters: dict[str, Any], parent: Any, *, silent: bool
) -> bool:
    """Enqueue the notification job of a new comment when it may notify anyone; True when it did
    (the caller then wakes the job runners after its commit)."""
    if silent or not await may_notify(conn, room, author, parameters, parent):
        return False
    await job_queue.enqueue(conn, MESSAGE_POSTED, {"room": room.id, "message": message_id})
    return True


async def tell_bots(conn: Conn, room: Room, author: Actor, message_id: int) -> bool:
    """Enqueue the webhook of a new comment when a bot listens here (never for a bot's own message,
    as in Talk); True when it did."""
    if author.type == BOTS or not await store.bot_listening(conn, room.id, FEATURE_WEBHOOK | FEATURE_EVENT):
        return False
    await job_queue.enqueue(conn, BOT_MESSAGE, {"room": room.id, "message": message_id})
    return True


async def tell_bots_reaction(
    conn: Conn, room: Room, actor: Actor, message_id: int, reaction: str, *, removed: bool
) -> bool:
    if actor.type == BOTS or not await store.bot_listening(conn, room.id, FEATURE_REACTION):
        return False
    payload = {
        "room": room.id,
        "message": message_id,
        "actorType": actor.type,
        "actorId": actor.id,
        "actorName": actor.display_name,
        "reaction": reaction,
        "removed": removed,
    }
    await job_queue.enqueue(conn, BOT_REACTION, payload)
    return True
