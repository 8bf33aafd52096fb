"""Joining and leaving a conversation: the Talk sessions a client opens and ends.

A user who is not an attendee joins a listable conversation as a member and a public one as
self-joined; a guest becomes an attendee with its first session, its identity derived from it.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Row

from causerie.services.accounts.hashing import verify_password
from causerie.services.errors import Conflict, DomainError, Forbidden, NotFound
from causerie.services.rooms import actors
from causerie.services.rooms.actors import Actor
from causerie.services.rooms.attendees import add_user, leave_call
from causerie.services.rooms.participants import (
    GUEST,
    IN_CALL_DISCONNECTED,
    USER,
    USER_SELF_JOINED,
    Attendee,
    Participant,
    Requester,
    find_participant,
    guest_actor_id,
    new_session_id,
)
from causerie.services.rooms.rooms import (
    LISTABLE_NONE,
    NOTE_TO_SELF,
    PUBLIC,
    ROOM_PASSWORD_ACTION,
    ROOM_TOKEN_ACTION,
    Room,
)
from causerie.storage.db import Conn, Database
from causerie.storage.rooms import participants as store
from causerie.storage.rooms import rooms as room_store


@dataclass(frozen=True)
class Joined:
    room: Room
    participant: Participant


def _user_join_type(room: Room) -> int | None:
    """How a user who is not an attendee joins: listable rooms as a member, public ones self-joined."""
    if room.listable != LISTABLE_NONE and room.type != NOTE_TO_SELF:
        return USER
    if room.type == PUBLIC:
        return USER_SELF_JOINED
    return None


async def _previous_session(conn: Conn, room: Room, requester: Requester) -> Row[Any] | None:
    session_id = requester.session_for(room.token)
    if session_id is None:
        return None
    row = await store.get_session(conn, session_id)
    if row is None or await store.get_attendee_by_id(conn, room.id, row.attendee_id) is None:
        return None
    return row


async def join(db: Database, requester: Requester, token: str, *, password: str, force: bool) -> Joined:
    """Open a new Talk session in the room (``POST /room/{token}/participants/active``).

    Raises 404 (``talkRoomToken``) when the room is not visible, 403 ``password`` (counted under
    ``talkRoomPassword``) for a wrong password, 409 with the old session when this cookie session
    is still in a call there and ``force`` is false.
    """
    async with db.read() as conn:
        room = await _visible_room(conn, requester, token)
        previous = await _previous_session(conn, room, requester)
        attendee_row = None
        if requester.user is not None:
            attendee_row = await store.get_attendee(conn, room.id, actors.USERS, requester.user.uid)
        elif previous is not None:
            attendee_row = await store.get_attendee_by_id(conn, room.id, previous.attendee_id)
    if previous is not None and not force and previous.in_call != IN_CALL_DISCONNECTED:
        raise Conflict(
            data={"sessionId": previous.session_id, "inCall": previous.in_call, "lastPing": previous.last_ping}
        )
    # Invited users and a guest coming back in the same cookie session skip the password.
    if attendee_row is None and room.has_password and not await verify_password(room.password_hash, password):
        raise Forbidden("password", throttle=ROOM_PASSWORD_ACTION)
    now = int(time.time())
    async with db.write() as conn:
        current = await room_store.get_by_id(conn, room.id)
        if current is None:
            raise NotFound(throttle=ROOM_TOKEN_ACTION, data=[])
        room = Room.from_row(current)
        if previous is not None:
            previous_attendee = await store.get_attendee_by_id(conn, room.id, previous.attendee_id)
            if previous_attendee is not None:
                await leave_call(conn, room, Attendee.from_row(previous_attendee), [previous], now, announce=True)
            await store.delete_session(conn, previous.session_id)
        attendee_id = await _attendee_for_join(conn, room, requester, previous, now)
        session_id = new_session_id()
        if requester.user is None and previous is None:
            # The guest's identity is derived from its first session, as in Talk.
            actor_id = guest_actor_id(session_id)
            await store.update_attendee(conn, attendee_id, actor_id=actor_id)
        await store.insert_session(conn, attendee_id=attendee_id, session_id=session_id, last_ping=now, state=1)
        await room_store.touch(conn, room.id, now)
        participant = await find_participant(
            conn, room, Requester(requester.user, {**requester.room_sessions, token: session_id})
        )
    assert participant is not None
    return Joined(room, participant)


async def _visible_room(conn: Conn, requester: Requester, token: str) -> Room:
    row = await room_store.get_by_token(conn, token)
    if row is None:
        raise NotFound(throttle=ROOM_TOKEN_ACTION, data=[])
    room = Room.from_row(row)
    if requester.user is not None:
        if await store.get_attendee(conn, room.id, actors.USERS, requester.user.uid) is not None:
            return room
        if _user_join_type(room) is not None:
            return room
    elif room.type == PUBLIC:
        return room
    raise NotFound(throttle=ROOM_TOKEN_ACTION, data=[])


async def _attendee_for_join(conn: Conn, room: Room, requester: Requester, previous: Row[Any] | None, now: int) -> int:
    if requester.user is not None:
        user = requester.user
        row = await store.get_attendee(conn, room.id, actors.USERS, user.uid)
        if row is not None:
            return int(row.id)
        join_type = _user_join_type(room)
        if join_type is None:
            raise NotFound(throttle=ROOM_TOKEN_ACTION, data=[])
        actor = Actor(actors.USERS, user.uid, user.display_name)
        # Joining a listable room makes a member ("… joined the conversation"); self-joining a
        # public room is silent, as in Talk.
        attendee_id = await add_user(
            conn, room, user, actor=actor, participant_type=join_type, now=now, announce=join_type == USER
        )
        if attendee_id is None:  # pragma: no cover - re-checked in the same transaction
            raise DomainError(status=500)
        return attendee_id
    if previous is not None:
        row = await store.get_attendee_by_id(conn, room.id, previous.attendee_id)
        if row is not None:
            return int(row.id)
    current = await room_store.get_by_id(conn, room.id)
    return await store.insert_attendee(
        conn,
        room_id=room.id,
        actor_type=actors.GUESTS,
        # Replaced by sha1(session id) once the session exists; unique meanwhile.
        actor_id="pending-" + secrets.token_hex(16),
        display_name="",
        participant_type=GUEST,
        last_read_message=int(current.last_message_id) if current is not None else 0,
        last_attendee_activity=now,
    )


async def leave(db: Database, requester: Requester, token: str) -> bool:
    """End the requester's Talk session in the room (``DELETE …/participants/active``).

    Guests and self-joined users without another session stop being attendees, as in Talk.
    Returns whether anything changed.
    """
    session_id = requester.session_for(token)
    if session_id is None:
        return False
    now = int(time.time())
    async with db.write() as conn:
        room_row = await room_store.get_by_token(conn, token)
        session_row = await store.get_session(conn, session_id)
        if room_row is None or session_row is None:
            return False
        attendee_row = await store.get_attendee_by_id(conn, int(room_row.id), session_row.attendee_id)
        if attendee_row is None:
            return False
        attendee = Attendee.from_row(attendee_row)
        await leave_call(conn, Room.from_row(room_row), attendee, [session_row], now, announce=True)
        await store.delete_session(conn, session_id)
        if attendee.participant_type in (GUEST, USER_SELF_JOINED) and not await store.sessions_of(conn, [attendee.id]):
            await store.delete_attendee(conn, attendee.id)
        await room_store.touch(conn, int(room_row.id), now)
    return True
