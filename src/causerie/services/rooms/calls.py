"""Calls: who is in a conversation's call, with which media, and the system messages about it.

A Talk session is in the call when its ``in_call`` flags are non-zero (1 in call, 2 audio, 4 video,
8 phone). The room's ``active_since`` is set by the first session that joins and reset by the last
one out; the room's ``call_flag`` is the OR of the flags of the sessions in the call. Chat gets
Talk's system messages: ``call_started`` (first in) or ``call_joined``, ``call_left``, and when the
call is over ``call_ended`` / ``call_ended_everyone`` / ``call_missed`` with the parameters Talk
stores: ``{users: [uids who joined since the start], cloudIds: [], guests: <count>, duration: <s>}``.

Who may *start* a call is Talk's ``start_calls`` rule (0 everyone, 1 users, 2 moderators, 3 nobody)
plus the ``call start`` permission; anyone may join a running one. Conversations of object type
``external_call`` are the exception: their calls happen on the external service, and the web UI
marks presence here (``externalCallJoined`` / ``externalCallLeft``) through the same call API, so
``start_calls=3`` (which turns off built-in calls) does not apply to them.

Every function runs inside the caller's write transaction; the caller publishes
``room_key(token)`` after the commit.
"""

from __future__ import annotations

from typing import Any

from causerie.services.config.appconfig import AppConfig
from causerie.services.errors import BadRequest, Forbidden, NotFound, PreconditionFailed
from causerie.services.jobs import queue as job_queue
from causerie.services.rooms import actors, system_messages
from causerie.services.rooms import participants as p
from causerie.services.rooms import rooms as r
from causerie.services.rooms.actors import Actor
from causerie.services.rooms.participants import Participant
from causerie.services.rooms.rooms import Room
from causerie.storage.db import Conn
from causerie.storage.rooms import calls as store
from causerie.storage.rooms import rooms as room_store

DISCONNECTED = 0
IN_CALL = 1
WITH_AUDIO = 2
WITH_VIDEO = 4
WITH_PHONE = 8
ALL_FLAGS = IN_CALL | WITH_AUDIO | WITH_VIDEO | WITH_PHONE
DEFAULT_FLAGS = IN_CALL | WITH_AUDIO | WITH_VIDEO

START_CALL_EVERYONE = 0
START_CALL_USERS = 1
START_CALL_MODERATORS = 2
START_CALL_NOONE = 3

EXTERNAL_CALL_OBJECT = "external_call"

# The job a started call leaves for the notifications (``services.notifications``), enqueued in the
# transaction that started it: ``{"room": id, "actorType": …, "actorId": …}``.
CALL_STARTED = "calls.call-started"

# Talk's Session::SESSION_TIMEOUT: peers are listed while they pinged within this many seconds.
SESSION_TIMEOUT_S = 30

# Conversations without calls (Talk's changeInCall ignores them).
_NO_CALL_TYPES = (r.CHANGELOG, r.ONE_TO_ONE_FORMER, r.NOTE_TO_SELF)


def is_external_call(room: Room) -> bool:
    return room.object_type == EXTERNAL_CALL_OBJECT


def calls_enabled(room: Room, config: AppConfig) -> bool:
    """Talk's ``RequireCallEnabled``: off with ``start_calls=3``, except for external calls."""
    return is_external_call(room) or config.integer("start_calls") != START_CALL_NOONE


def can_start_call(room: Room, participant: Participant | None, config: AppConfig) -> bool:
    """Talk's ``Participant::canStartCall`` (``canStartCall`` of the room object)."""
    if participant is None or room.type in _NO_CALL_TYPES:
        return False
    if not participant.has_permission(p.PERMISSIONS_CALL_START):
        return False
    start_calls = config.integer("start_calls")
    if start_calls == START_CALL_EVERYONE or (start_calls == START_CALL_NOONE and is_external_call(room)):
        return True
    if start_calls == START_CALL_USERS:
        return not participant.is_guest or participant.is_moderator
    if start_calls == START_CALL_MODERATORS:
        return participant.is_moderator
    return False


def check_call_guards(room: Room, participant: Participant, config: AppConfig, now: int) -> None:
    """The guards of joining and listing a call, in Talk's order: enabled, lobby, read-only."""
    if not calls_enabled(room, config):
        raise Forbidden(data=[])
    if p.lobby_keeps_out(room, participant, now):
        raise PreconditionFailed(data=[])
    if room.read_only != r.READ_WRITE:
        raise Forbidden(data=[])


def _allowed_flags(participant: Participant, flags: int) -> int:
    """Media the participant may not publish is dropped from the flags, as Talk does."""
    if not participant.has_permission(p.PERMISSIONS_PUBLISH_AUDIO):
        flags &= ~WITH_AUDIO
    if not participant.has_permission(p.PERMISSIONS_PUBLISH_VIDEO):
        flags &= ~WITH_VIDEO
    return flags


def _require_session(participant: Participant) -> p.TalkSession:
    if participant.session is None:
        raise NotFound(data=None)
    return participant.session


async def _others_in_call(conn: Conn, room: Room, session_id: str | None) -> int:
    # Talk also ignores sessions that have not pinged for 30 s; clients here need not ping while in
    # a call (an external call's page, API clients), so a call lasts until its last session leaves
    # it or the conversation.
    return await store.count_in_call(conn, room.id, pinged_since=0, except_session=session_id)


async def _refresh_call_flag(conn: Conn, room: Room) -> None:
    flag = 0
    for session in await store.room_sessions(conn, room.id, pinged_since=0, in_call=True):
        flag |= int(session.in_call)
    await store.set_call_flag(conn, room.id, flag)


async def join(
    conn: Conn,
    room: Room,
    participant: Participant,
    config: AppConfig,
    *,
    flags: int | None,
    silent: bool,
    now: int,
) -> bool:
    """``POST /call/{token}``: put the participant's session in the call. True when that started
    the call (a notification job waits: wake the job runners after the commit)."""
    check_call_guards(room, participant, config, now)
    session = _require_session(participant)
    flags = DEFAULT_FLAGS if flags is None else flags
    if not 0 <= flags <= ALL_FLAGS or not flags & IN_CALL:
        raise BadRequest("flags", data={"error": "flags"})
    others = await _others_in_call(conn, room, session.session_id)
    if room.type in _NO_CALL_TYPES or (not others and not can_start_call(room, participant, config)):
        raise Forbidden(message="Can not start a call", data=[])
    return await enter(conn, room, participant, session, flags, silent=silent, now=now)


async def enter(
    conn: Conn,
    room: Room,
    participant: Participant,
    session: p.TalkSession,
    flags: int,
    *,
    silent: bool = False,
    now: int,
) -> bool:
    """Set a session's flags to a non-zero value, starting the call or joining it; True when it
    started the call and a notification job was enqueued (not for silent calls, as in Talk)."""
    others = await _others_in_call(conn, room, session.session_id)
    if not others and await store.active_since(conn, room.id) is not None:
        # A call whose sessions all went away without leaving it: close it before a new one starts.
        await end_call(conn, room, actors.SYSTEM, everyone=False, now=now)
    flags = _allowed_flags(participant, flags)
    await store.set_in_call(conn, session.session_id, flags)
    await store.mark_joined(conn, participant.attendee_id, now)
    started = False
    if session.in_call == DISCONNECTED:
        name = "call_joined" if others else "call_started"
        await system_messages.post(conn, room.id, participant.actor, name, now=now, silent=silent)
        started = not others and not silent
    await store.start(conn, room.id, now=now, actor_type=participant.actor.type, actor_id=participant.actor.id)
    await _refresh_call_flag(conn, room)
    await room_store.touch(conn, room.id, now)
    if started:
        actor = participant.actor
        await job_queue.enqueue(conn, CALL_STARTED, {"room": room.id, "actorType": actor.type, "actorId": actor.id})
    return started


async def update_flags(conn: Conn, room: Room, participant: Participant, *, flags: int, now: int) -> None:
    """``PUT /call/{token}``: change media flags of a session that is in the call."""
    session = _require_session(participant)
    if session.in_call == DISCONNECTED or not 0 <= flags <= ALL_FLAGS or not flags & IN_CALL:
        raise BadRequest(data=None)
    await store.set_in_call(conn, session.session_id, _allowed_flags(participant, flags))
    await _refresh_call_flag(conn, room)
    await room_store.touch(conn, room.id, now)


async def leave(conn: Conn, room: Room, participant: Participant, *, everyone: bool, now: int) -> None:
    """``DELETE /call/{token}``: leave the call; ``all`` from a moderator ends it for everyone."""
    session = _require_session(participant)
    if everyone and participant.is_moderator and await store.active_since(conn, room.id) is not None:
        await end_call(conn, room, participant.actor, everyone=True, now=now)
        await store.disconnect_room(conn, room.id)
    else:
        await disconnect(conn, room, participant.actor, session, now=now)
    await room_store.touch(conn, room.id, now)


async def disconnect(
    conn: Conn, room: Room, actor: Actor, session: p.TalkSession, *, now: int, announce: bool = True
) -> None:
    """Take one session out of the call (leaving the call or the conversation's session).

    ``call_left`` is posted when the session was in the call (not when a moderator removed it:
    ``announce=False``, as Talk skips it for kicked sessions); the last one out ends the call.
    """
    if session.in_call != DISCONNECTED:
        await store.set_in_call(conn, session.session_id, DISCONNECTED)
        if announce:
            await system_messages.post(conn, room.id, actor, "call_left", now=now)
    if await _others_in_call(conn, room, None):
        await _refresh_call_flag(conn, room)
    else:
        await end_call(conn, room, actor, everyone=False, now=now)


async def end_call(conn: Conn, room: Room, actor: Actor, *, everyone: bool, now: int) -> bool:
    """Reset the room's call and post Talk's summary; False when there was no call to end."""
    since = await store.active_since(conn, room.id)
    if since is None or not await store.end(conn, room.id):
        return False
    took_part = await store.joined_since(conn, room.id, since)
    users = [actor_id for actor_type, actor_id in took_part if actor_type == actors.USERS]
    guests = sum(1 for actor_type, _ in took_part if actor_type in (actors.GUESTS, actors.EMAILS))
    if room.is_one_to_one and len(users) == 1:
        name = "call_missed"
    elif everyone:
        name = "call_ended_everyone"
    else:
        name = "call_ended"
    parameters: dict[str, Any] = {"users": users, "cloudIds": [], "guests": guests, "duration": now - since}
    await system_messages.post(conn, room.id, actor, name, parameters, now=now)
    return True


async def peers(conn: Conn, room: Room, participant: Participant, config: AppConfig, now: int) -> list[dict[str, Any]]:
    """``GET /call/{token}``: the sessions in the call that pinged in the last 30 seconds."""
    check_call_guards(room, participant, config, now)
    rows = await store.room_sessions(conn, room.id, pinged_since=now - SESSION_TIMEOUT_S, in_call=True)
    return [
        {
            "actorType": row.actor_type,
            "actorId": row.actor_id,
            "displayName": row.display_name or (row.actor_id if row.actor_type == actors.USERS else ""),
            "token": room.token,
            "lastPing": int(row.last_ping),
            "sessionId": row.session_id,
        }
        for row in rows
    ]
