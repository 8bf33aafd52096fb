"""Notifications that stop applying, removed as Talk removes them, with a ``delete`` push to the
recipient's devices: reading the chat up to a message, looking at the chat with
``markNotificationsAsRead``, joining the call, a message deleted, the user dismissing them.

Each runs in the caller's write transaction; True means pushes were enqueued (wake the job
runners after the commit)."""

from __future__ import annotations

from collections.abc import Sequence

from causerie.services.notifications import fanout
from causerie.services.rooms.participants import Participant
from causerie.services.rooms.rooms import Room
from causerie.storage.db import Conn
from causerie.storage.notifications import notifications as store


async def _pushed(conn: Conn, removed: list[tuple[int, str]]) -> bool:
    return bool(removed) and await fanout.push_deleted(conn, removed)


async def read_up_to(conn: Conn, room: Room, participant: Participant, up_to: int) -> bool:
    """The read marker moved to ``up_to``: chat notifications about messages up to it are done."""
    if not participant.is_user:
        return False
    return await _pushed(conn, await store.delete_chat(conn, participant.actor.id, room.id, up_to))


async def has_chat_notifications(conn: Conn, room: Room, participant: Participant) -> bool:
    return participant.is_user and await store.has_chat(conn, participant.actor.id, room.id)


async def chat_viewed(conn: Conn, room: Room, participant: Participant) -> bool:
    """Talk's ``markMentionNotificationsRead``: a user polling the chat sees it, so all its chat
    notifications of the room go."""
    if not participant.is_user:
        return False
    return await _pushed(conn, await store.delete_chat(conn, participant.actor.id, room.id, None))


async def call_joined(conn: Conn, room: Room, participant: Participant) -> bool:
    if not participant.is_user:
        return False
    return await _pushed(conn, await store.delete_calls(conn, room.id, participant.actor.id))


async def message_deleted(conn: Conn, message_id: int) -> bool:
    return await _pushed(conn, await store.delete_of_message(conn, message_id))


async def dismiss(conn: Conn, uid: str, ids: Sequence[int]) -> bool:
    """The user deleted these notifications (or they were found not to apply any more)."""
    return await _pushed(conn, await store.delete_ids(conn, uid, ids))


async def dismiss_all(conn: Conn, uid: str) -> bool:
    removed = await store.delete_of_user(conn, uid)
    return bool(removed) and await fanout.push_deleted_all(conn, uid)
