"""Adding and removing attendees: users, groups, and people leaving for good.

Every function runs inside the caller's write transaction, posts Talk's system message and marks
the room modified; the caller publishes ``room_key(room.token)`` after commit.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Row

from causerie.services.accounts import users
from causerie.services.accounts.users import User
from causerie.services.errors import BadRequest, DomainError, Forbidden, NotFound
from causerie.services.rooms import actors, calls, system_messages
from causerie.services.rooms.actors import Actor
from causerie.services.rooms.participants import (
    IN_CALL_DISCONNECTED,
    MODERATOR,
    OWNER,
    USER,
    USER_SELF_JOINED,
    Attendee,
    Participant,
    TalkSession,
    get_participant,
    require_moderator,
)
from causerie.services.rooms.rooms import CHANGELOG, NOTE_TO_SELF, Room
from causerie.storage.accounts import users as accounts
from causerie.storage.db import Conn
from causerie.storage.rooms import participants as store
from causerie.storage.rooms import rooms as room_store


async def add_user(
    conn: Conn,
    room: Room,
    user: User,
    *,
    actor: Actor,
    participant_type: int = USER,
    now: int,
    announce: bool = True,
) -> int | None:
    """Add a user as an attendee; None when the user already is one.

    The new attendee has read everything said before it joined (Talk sets the read marker to the
    room's last message), and the room gets a ``user_added`` message from ``actor``.
    """
    existing = await store.get_attendee(conn, room.id, actors.USERS, user.uid)
    if existing is not None:
        if existing.participant_type == USER_SELF_JOINED and participant_type == USER:
            # Invited after joining a public room on their own: now a permanent member.
            await store.update_attendee(conn, existing.id, participant_type=USER)
        return None
    current = await room_store.get_by_id(conn, room.id)
    last_message_id = int(current.last_message_id) if current is not None else room.last_message_id
    attendee_id = await store.insert_attendee(
        conn,
        room_id=room.id,
        actor_type=actors.USERS,
        actor_id=user.uid,
        display_name=user.display_name,
        participant_type=participant_type,
        last_read_message=last_message_id,
        last_attendee_activity=now,
    )
    if announce:
        await system_messages.post(conn, room.id, actor, "user_added", {"user": user.uid}, now=now)
    await room_store.touch(conn, room.id, now)
    return attendee_id


async def invite(conn: Conn, room: Room, me: Participant, source: str, who: str, *, now: int) -> None:
    """A moderator adds a user or a group (``POST …/participants``), with Talk's errors."""
    require_moderator(me)
    if room.is_one_to_one or room.type == NOTE_TO_SELF:
        raise _error(BadRequest, "room-type")
    if source == "users":
        user = await users.get(conn, who)
        if user is None:
            raise _error(NotFound, "new-participant")
        await add_user(conn, room, user, actor=me.actor, now=now)
    elif source == "groups":
        if not await add_group(conn, room, who, actor=me.actor, now=now):
            raise _error(NotFound, "new-participant")
    elif source == "federated_users":
        raise _error(DomainError, "federation", 501)
    elif source == "phones":
        raise _error(DomainError, "sip", 501)
    else:
        raise _error(BadRequest, "source")


async def remove_attendee(conn: Conn, room: Room, me: Participant, attendee_id: int) -> None:
    """A moderator removes someone (``DELETE …/attendees``); removing oneself is leaving."""
    require_moderator(me)
    if room.is_one_to_one:
        raise _error(BadRequest, "room-type")
    target = await get_participant(conn, room, attendee_id)
    if target is None:
        raise _error(NotFound, "participant")
    if target.attendee_id == me.attendee_id:
        await remove_self(conn, room, me)
        return
    if target.participant_type == OWNER:
        raise _error(Forbidden, "owner")
    await remove_participant(conn, room, target.attendee_id, actor=me.actor)


def _error(cls: type[DomainError], error: str, status: int | None = None) -> DomainError:
    return cls(error, data={"error": error}, status=status)


async def add_group(conn: Conn, room: Room, gid: str, *, actor: Actor, now: int) -> bool:
    """Add a group attendee and every member who is not in the room yet; False for unknown groups."""
    group = await accounts.get_group(conn, gid)
    if group is None:
        return False
    if await store.get_attendee(conn, room.id, actors.GROUPS, gid) is None:
        await store.insert_attendee(
            conn,
            room_id=room.id,
            actor_type=actors.GROUPS,
            actor_id=gid,
            display_name=group.display_name,
            participant_type=USER,
            last_attendee_activity=now,
        )
        await system_messages.post(conn, room.id, actor, "group_added", {"group": gid}, now=now)
    member_ids = await accounts.group_member_ids(conn, gid)
    for uid, row in (await accounts.get_users(conn, member_ids)).items():
        await add_user(conn, room, User(uid=uid, display_name=row.display_name), actor=actor, now=now)
    await room_store.touch(conn, room.id, now)
    return True


async def leave_call(
    conn: Conn, room: Room, attendee: Attendee, sessions: Sequence[Row[Any]], now: int, *, announce: bool
) -> None:
    """Take ending sessions out of the call first (``call_left``; the last one out ends the call)."""
    for row in sessions:
        if row.in_call != IN_CALL_DISCONNECTED:
            await calls.disconnect(conn, room, attendee.actor, TalkSession.from_row(row), now=now, announce=announce)


async def remove_participant(conn: Conn, room: Room, attendee_id: int, *, actor: Actor, now: int | None = None) -> bool:
    """Remove an attendee and its sessions, with Talk's system message; False when it was not there."""
    now = int(time.time()) if now is None else now
    row = await store.get_attendee_by_id(conn, room.id, attendee_id)
    if row is None:
        return False
    attendee = Attendee.from_row(row)
    # Removed, not leaving: Talk posts no call_left for them.
    await leave_call(conn, room, attendee, await store.sessions_of(conn, [attendee.id]), now, announce=False)
    await store.delete_attendee(conn, attendee.id)
    if attendee.actor_type == actors.USERS:
        await system_messages.post(conn, room.id, actor, "user_removed", {"user": attendee.actor_id}, now=now)
    elif attendee.actor_type == actors.GROUPS:
        await system_messages.post(conn, room.id, actor, "group_removed", {"group": attendee.actor_id}, now=now)
    await room_store.touch(conn, room.id, now)
    return True


async def remove_self(conn: Conn, room: Room, participant: Participant, *, now: int | None = None) -> bool:
    """Leave a conversation for good (Talk's ``removeSelfFromRoom``); True when the room was deleted.

    The last moderator cannot leave while other users remain (400 ``last-moderator``); the last
    user leaving deletes the room, as in Talk.
    """
    now = int(time.time()) if now is None else now
    attendee = participant.attendee
    user_count = await store.count_attendees(conn, room.id, actor_type=actors.USERS)
    if (
        not room.is_one_to_one
        and attendee.participant_type in (OWNER, MODERATOR)
        and user_count > 1
        and await store.count_by_types(conn, room.id, (OWNER, MODERATOR)) == 1
    ):
        raise BadRequest("last-moderator", data={"error": "last-moderator"})
    if user_count == 1 and attendee.participant_type in (OWNER, MODERATOR, USER) and room.type != CHANGELOG:
        await room_store.delete_room(conn, room.id)
        return True
    await leave_call(conn, room, attendee, await store.sessions_of(conn, [attendee.id]), now, announce=False)
    await store.delete_attendee(conn, attendee.id)
    if attendee.actor_type == actors.USERS and attendee.participant_type != USER_SELF_JOINED:
        await system_messages.post(conn, room.id, attendee.actor, "user_removed", {"user": attendee.actor_id}, now=now)
    await room_store.touch(conn, room.id, now)
    return False


def clean_guest_name(name: str) -> str:
    """Guest names are trimmed and cut to 64 characters."""
    return name.strip()[:64]


async def set_guest_name(conn: Conn, participant: Participant, name: str) -> None:
    await store.update_attendee(conn, participant.attendee_id, display_name=name)
