"""Changing a conversation's settings, with Talk's checks and system messages.

Every function runs inside the caller's write transaction with the acting participant already
checked for the right role; it stores the change, posts the system message Talk posts (none when
nothing changed) and marks the room modified. The caller publishes ``room_key(token)`` after
commit. Errors are Talk's 400 ``{error: …}`` bodies.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from causerie.services.accounts.hashing import hash_password
from causerie.services.config.appconfig import AppConfig
from causerie.services.config.talk_config import APP
from causerie.services.errors import BadRequest, Forbidden, NotFound
from causerie.services.rooms import actors, calls, system_messages
from causerie.services.rooms import participants as p
from causerie.services.rooms import rooms as r
from causerie.services.rooms.actors import Actor
from causerie.services.rooms.participants import Attendee, Participant
from causerie.services.rooms.rooms import Room
from causerie.storage.db import Conn
from causerie.storage.rooms import calls as call_store
from causerie.storage.rooms import participants as participant_store
from causerie.storage.rooms import rooms as store

NAME_MAX_LENGTH = 255
# Characters (mb_strlen) of a description since Talk 21, announced as description-length.
DESCRIPTION_MAX_LENGTH = 2000
LISTABLE_MESSAGES = {
    r.LISTABLE_NONE: "listable_none",
    r.LISTABLE_USERS: "listable_users",
    r.LISTABLE_ALL: "listable_all",
}
NOTIFICATION_LEVELS = (0, 1, 2, 3)
# Talk stores the expiration in a 32-bit column; more fails there with a database error.
MESSAGE_EXPIRATION_MAX = 2**31 - 1


def bad(error: str, message: str = "") -> BadRequest:
    data: dict[str, Any] = {"error": error}
    if message:
        data["message"] = message
    return BadRequest(error, message, data=data)


async def _change(
    conn: Conn,
    room: Room,
    actor: Actor,
    now: int,
    message: str | None,
    parameters: dict[str, Any] | None = None,
    **values: Any,
) -> None:
    await store.update_room(conn, room.id, modified_at=now, **values)
    if message is not None:
        await system_messages.post(conn, room.id, actor, message, parameters, now=now)


def _require_group_or_public(room: Room) -> None:
    if room.type not in (r.GROUP, r.PUBLIC):
        raise bad("type")


async def delete(conn: Conn, room: Room, participant: Participant) -> None:
    """Moderators delete a conversation; a one-to-one only where the administrator allows it."""
    p.require_moderator(participant)
    if room.is_one_to_one and not (await AppConfig.load(conn, APP)).boolean("delete_one_to_one_conversations"):
        raise BadRequest(data=[])
    await store.delete_room(conn, room.id)


async def rename(conn: Conn, room: Room, actor: Actor, name: str, now: int) -> None:
    if room.is_one_to_one:
        raise bad("type")
    if room.object_type == "event":
        raise bad("event")
    name = name.strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        raise bad("value")
    if name == room.name:
        return
    await _change(conn, room, actor, now, "conversation_renamed", {"oldName": room.name, "newName": name}, name=name)


async def set_description(conn: Conn, room: Room, actor: Actor, description: str, now: int) -> None:
    if room.is_one_to_one:
        raise bad("type")
    if room.object_type == "event":
        raise bad("event")
    description = description.strip()
    # Talk counts characters (mb_strlen), not bytes: 2000 emoji are fine.
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise bad("value")
    if description == room.description:
        return
    message = "description_set" if description else "description_removed"
    await _change(conn, room, actor, now, message, description=description)


async def hash_room_password(password: str) -> str:
    """The stored form of a room password ("" for none), made before the write transaction that
    stores it: argon2 takes a good part of a second, and every other writer would wait for it."""
    return await hash_password(password) if password else ""


async def make_public(conn: Conn, room: Room, actor: Actor, password_hash: str, now: int) -> None:
    """Group → public; ``password_hash`` from ``hash_room_password``."""
    if room.type not in (r.GROUP, r.PUBLIC) or room.object_type == r.NOTE_TO_SELF_OBJECT:
        raise bad("type")
    if room.type == r.GROUP:
        await _change(conn, room, actor, now, "guests_allowed", type=r.PUBLIC)
    if password_hash:
        await _change(conn, room, actor, now, "password_set", password_hash=password_hash)


async def make_private(conn: Conn, room: Room, actor: Actor, now: int) -> None:
    """Public → group. Guests are removed, and the password goes with the public link."""
    if room.type not in (r.GROUP, r.PUBLIC):
        raise bad("type")
    if room.type == r.GROUP:
        return
    await _change(conn, room, actor, now, "guests_disallowed", type=r.GROUP, password_hash="")
    for attendee_row in await participant_store.list_attendees(conn, room.id):
        if attendee_row.actor_type == actors.GUESTS:
            await participant_store.delete_attendee(conn, int(attendee_row.id))


async def set_password(conn: Conn, room: Room, actor: Actor, password_hash: str, now: int) -> None:
    """``password_hash`` from ``hash_room_password`` ("" removes the password)."""
    if room.type != r.PUBLIC:
        raise bad("type")
    if password_hash:
        await _change(conn, room, actor, now, "password_set", password_hash=password_hash)
    elif room.has_password:
        await _change(conn, room, actor, now, "password_removed", password_hash="")


async def set_read_only(conn: Conn, room: Room, actor: Actor, state: int, now: int) -> None:
    if state not in (r.READ_WRITE, r.READ_ONLY):
        raise bad("value")
    _require_group_or_public(room)
    if state == room.read_only:
        return
    await _change(conn, room, actor, now, "read_only" if state else "read_only_off", read_only=state)


async def set_listable(conn: Conn, room: Room, actor: Actor, scope: int, now: int) -> None:
    if scope not in LISTABLE_MESSAGES:
        raise bad("value")
    _require_group_or_public(room)
    if scope == room.listable:
        return
    await _change(conn, room, actor, now, LISTABLE_MESSAGES[scope], listable=scope)


async def set_mention_permissions(conn: Conn, room: Room, value: int, now: int) -> None:
    """Who may mention ``@all``: everyone (0) or moderators (1). No system message, as in Talk."""
    _require_group_or_public(room)
    if value not in (0, 1):
        raise bad("value")
    if value != room.mention_permissions:
        await store.update_room(conn, room.id, modified_at=now, mention_permissions=value)


async def set_message_expiration(conn: Conn, room: Room, actor: Actor, seconds: int, now: int) -> None:
    """Messages sent from now on expire after ``seconds`` (0: never); earlier ones keep theirs."""
    if room.type not in (r.ONE_TO_ONE, r.GROUP, r.PUBLIC):
        raise bad("type")
    if not 0 <= seconds <= MESSAGE_EXPIRATION_MAX:
        raise bad("value")
    if seconds == room.message_expiration:
        return
    if seconds:
        await _change(
            conn, room, actor, now, "message_expiration_enabled", {"seconds": seconds}, message_expiration=seconds
        )
    else:
        await _change(conn, room, actor, now, "message_expiration_disabled", message_expiration=0)


async def set_lobby(conn: Conn, room: Room, actor: Actor, state: int, timer: int | None, now: int) -> None:
    """``PUT /webinar/lobby``: ``timer`` (a unix time) opens the lobby by itself when reached.

    Turning the lobby on takes the non-moderators (without the lobby-ignore permission) out of
    the call, without a ``call_left`` message, as Talk does for sessions it removes.
    """
    _require_group_or_public(room)
    if room.object_type not in ("", "event"):
        raise bad("object")
    if state not in (r.LOBBY_NONE, r.LOBBY_NON_MODERATORS):
        raise bad("value")
    lobby_timer = timer if state == r.LOBBY_NON_MODERATORS and timer is not None and timer > 0 else None
    message = None
    if state != room.lobby_state:
        message = "lobby_non_moderators" if state == r.LOBBY_NON_MODERATORS else "lobby_none"
    await _change(conn, room, actor, now, message, lobby_state=state, lobby_timer=lobby_timer)
    if state == r.LOBBY_NON_MODERATORS:
        locked = dataclasses.replace(room, lobby_state=state, lobby_timer=lobby_timer)
        await _send_lobby_guests_out_of_the_call(conn, locked, actor, now)


async def open_lobby_on_timer(conn: Conn, room_id: int, now: int) -> bool:
    """Open a lobby whose timer has passed, with Talk's ``lobby_timer_reached``; False when
    there was nothing to do (already opened, or the timer moved)."""
    room = await r.get_by_id(conn, room_id)
    if room is None or not r.lobby_timer_passed(room, now):
        return False
    await _change(conn, room, actors.SYSTEM, now, "lobby_timer_reached", lobby_state=r.LOBBY_NONE, lobby_timer=None)
    return True


async def _send_lobby_guests_out_of_the_call(conn: Conn, room: Room, actor: Actor, now: int) -> None:
    for row in await call_store.room_sessions(conn, room.id, pinged_since=0, in_call=True):
        participant = await p.get_participant(conn, room, int(row.id))
        session = await participant_store.get_session(conn, row.session_id)
        if participant is None or session is None or not p.lobby_keeps_out(room, participant, now):
            continue
        await calls.disconnect(conn, room, actor, p.TalkSession.from_row(session), now=now, announce=False)


async def set_default_permissions(conn: Conn, room: Room, mode: str, permissions: int, now: int) -> None:
    """``PUT /permissions/default``: the room's default, resetting every attendee's own bits."""
    if mode != "default":
        # "call" permissions were removed in Talk 20 and are refused since.
        raise bad("mode")
    _require_group_or_public(room)
    if not 0 <= permissions <= p.PERMISSIONS_MAX_CUSTOM:
        raise bad("value")
    if permissions != p.PERMISSIONS_DEFAULT:
        permissions |= p.PERMISSIONS_CUSTOM
    await store.update_room(conn, room.id, default_permissions=permissions, modified_at=now)
    for attendee_row in await participant_store.list_attendees(conn, room.id):
        if attendee_row.permissions != p.PERMISSIONS_DEFAULT:
            await participant_store.update_attendee(conn, int(attendee_row.id), permissions=p.PERMISSIONS_DEFAULT)


# --- per attendee -------------------------------------------------------------------------------


async def set_attendee_flag(conn: Conn, participant: Participant, flag: str, value: bool, now: int) -> None:
    """favorite, archived, important, sensitive: the attendee's own marks."""
    await participant_store.update_attendee(conn, participant.attendee_id, **{flag: value})
    await store.touch(conn, participant.room.id, now)


async def set_notification_level(conn: Conn, participant: Participant, level: int, now: int) -> None:
    if level not in NOTIFICATION_LEVELS:
        raise bad("level")
    await participant_store.update_attendee(conn, participant.attendee_id, notification_level=level)
    await store.touch(conn, participant.room.id, now)


async def set_notification_calls(conn: Conn, participant: Participant, level: int, now: int) -> None:
    if level not in (0, 1):
        raise bad("level")
    await participant_store.update_attendee(conn, participant.attendee_id, notification_calls=level)
    await store.touch(conn, participant.room.id, now)


# --- moderators and permissions -----------------------------------------------------------------

_PROMOTIONS = {p.USER: p.MODERATOR, p.USER_SELF_JOINED: p.MODERATOR, p.GUEST: p.GUEST_MODERATOR}
_DEMOTIONS = {p.MODERATOR: p.USER, p.GUEST_MODERATOR: p.GUEST}


def _moderator_message(target: Attendee, promoted: bool) -> tuple[str, dict[str, Any]]:
    verb = "promoted" if promoted else "demoted"
    if target.actor_type == actors.GUESTS:
        return f"guest_moderator_{verb}", {"type": target.actor_type, "id": target.actor_id}
    return f"moderator_{verb}", {"user": target.actor_id}


async def change_moderator(
    conn: Conn, room: Room, me: Participant, attendee_id: int, *, promote: bool, now: int
) -> None:
    """Talk's promote (3/5 → 2, 4 → 6) and demote (2 → 3, 6 → 4); 400 for anything else."""
    target = await p.get_participant(conn, room, attendee_id)
    if target is None:
        raise NotFound(data=None)
    if target.attendee_id == me.attendee_id:
        raise Forbidden(data=None)
    if target.attendee.actor_type not in (actors.USERS, actors.GUESTS):
        raise BadRequest(data=None)
    changes = _PROMOTIONS if promote else _DEMOTIONS
    new_type = changes.get(target.participant_type)
    if new_type is None:
        raise BadRequest(data=None)
    await participant_store.update_attendee(conn, target.attendee_id, participant_type=new_type)
    message, parameters = _moderator_message(target.attendee, promote)
    await _change(conn, room, me.actor, now, message, parameters)


PERMISSION_METHODS = ("set", "add", "remove")


async def set_attendee_permissions(
    conn: Conn, room: Room, attendee_id: int, method: str, permissions: int, now: int
) -> Participant:
    """``PUT /attendees/permissions``: custom bits for one attendee (never a moderator)."""
    if room.is_one_to_one or room.type == r.NOTE_TO_SELF:
        raise bad("room-type")
    if method not in PERMISSION_METHODS:
        raise bad("method")
    if not 0 <= permissions <= p.PERMISSIONS_MAX_CUSTOM:
        raise bad("value")
    target = await p.get_participant(conn, room, attendee_id)
    if target is None:
        raise NotFound("participant", data={"error": "participant"})
    if target.is_moderator:
        raise bad("moderator")
    if target.attendee.actor_type == actors.GROUPS:
        raise bad("type")
    current = target.permissions
    if method == "set":
        new = permissions
    elif method == "add":
        new = current | permissions
    else:
        new = current & ~permissions
    if new != p.PERMISSIONS_DEFAULT:
        new |= p.PERMISSIONS_CUSTOM
    values: dict[str, Any] = {"permissions": new}
    if target.participant_type == p.USER_SELF_JOINED:
        # Custom permissions make a self-joined user a permanent member, as in Talk.
        values["participant_type"] = p.USER
    await participant_store.update_attendee(conn, target.attendee_id, **values)
    await store.touch(conn, room.id, now)
    updated = await p.get_participant(conn, room, attendee_id)
    assert updated is not None
    return updated


async def set_avatar_version(conn: Conn, room: Room, actor: Actor, version: str, now: int) -> None:
    """A new conversation picture (``version`` names it, clients cache by it) or none (``""``)."""
    await _change(conn, room, actor, now, "avatar_set" if version else "avatar_removed", avatar_version=version)
