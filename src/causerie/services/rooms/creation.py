"""Creating conversations: group, public, one-to-one and note-to-self, with Talk's checks.

``create(conn, creator, request)`` runs inside the caller's write transaction and returns the room
and whether it is new (a one-to-one that already existed is returned as it is, Talk's 200). The
creator becomes the owner and the actor of ``conversation_created``; invited users and groups get
``user_added`` / ``group_added``. Callers publish ``room_key(token)`` after commit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from causerie.services.accounts.users import User
from causerie.services.config.appconfig import AppConfig
from causerie.services.config.talk_config import APP
from causerie.services.errors import BadRequest, Forbidden, NotFound
from causerie.services.rooms import actors, attendees, system_messages
from causerie.services.rooms import participants as p
from causerie.services.rooms import rooms as r
from causerie.services.rooms import settings as room_settings
from causerie.services.rooms.actors import Actor
from causerie.services.rooms.rooms import Room
from causerie.storage.accounts import users as accounts
from causerie.storage.db import Conn
from causerie.storage.rooms import participants as participant_store
from causerie.storage.rooms import rooms as store

NAME_MAX_LENGTH = 255
NOTE_TO_SELF_NAME = "Note to self"
NOTE_TO_SELF_DESCRIPTION = "A place for your private notes, thoughts and ideas"
OBJECT_MAX_LENGTH = 64
LEGACY_NAME_MAX_LENGTH = 64

# Object types a user may give; the "internal" ones are for rooms Causerie itself creates.
PUBLIC_OBJECT_TYPES = {
    "",
    "phone",
    "phone_persist",
    "phone_temporary",
    "event",
    "extended_conversation",
    "instant_meeting",
}
INTERNAL_OBJECT_TYPES = {"room", "emails", "file", "note_to_self", "sample", "share:password", "external_call"}
PHONE_OBJECT_TYPES = {"phone", "phone_persist", "phone_temporary"}
INVITATION_KINDS = ("users", "federated_users", "groups", "emails", "phones", "teams")


@dataclass
class NewRoom:
    """The parameters of ``POST /room`` after type coercion."""

    room_type: int
    room_name: str = ""
    invite: str = ""
    source: str = ""
    object_type: str = ""
    object_id: str = ""
    # From ``room_settings.hash_room_password``, before the write transaction (public rooms only).
    password_hash: str = ""
    read_only: int = 0
    listable: int = 0
    message_expiration: int = 0
    lobby_state: int = 0
    lobby_timer: int | None = None
    sip_enabled: int = 0
    permissions: int = 0
    recording_consent: int = 0
    mention_permissions: int = 0
    description: str = ""
    emoji: str | None = None
    avatar_color: str | None = None
    participants: dict[str, list[str]] = field(default_factory=dict)
    # Object types only the server itself may use (external call service, …).
    allow_internal_object_types: bool = False


@dataclass(frozen=True)
class Created:
    room: Room
    is_new: bool
    invalid: dict[str, list[str]] | None = None


def _bad(error: str, message: str = "") -> BadRequest:
    data: dict[str, Any] = {"error": error}
    if message:
        data["message"] = message
    return BadRequest(error, message, data=data)


def _creator_actor(user: User) -> Actor:
    return Actor(actors.USERS, user.uid, user.display_name)


async def create(conn: Conn, creator: User, request: NewRoom) -> Created:
    if request.room_type == r.ONE_TO_ONE:
        target = request.invite or next(iter(request.participants.get("users", [])), "")
        return await create_one_to_one(conn, creator, target)
    if request.room_type not in (r.GROUP, r.PUBLIC):
        raise _bad("type")
    await _check_may_create(conn, creator)
    participants = {kind: list(request.participants.get(kind, [])) for kind in INVITATION_KINDS}
    name = request.room_name.strip()
    if request.invite:
        # Legacy creation: ``invite`` names a team with ``source=circles`` and a group with any other
        # source, known or not (Talk's createRoom), and gives the room its name.
        if request.source == "circles":
            participants["teams"].append(request.invite)
            name = name or request.invite[:LEGACY_NAME_MAX_LENGTH]
        else:
            group = await accounts.get_group(conn, request.invite)
            if group is None:
                raise NotFound("invite", data={"error": "invite"})
            participants["groups"].append(request.invite)
            name = name or str(group.display_name)[:LEGACY_NAME_MAX_LENGTH]
    values = _validated_values(request, name)
    valid_users, valid_groups, invalid = await _sort_invitations(conn, participants, creator)
    if any(invalid.values()) and not valid_users and not valid_groups:
        raise NotFound("invite", data={"error": "invite"})
    password_hash = request.password_hash if request.room_type == r.PUBLIC else ""
    now = int(time.time())
    room = await _insert_room(
        conn, room_type=request.room_type, name=name, now=now, password_hash=password_hash, **values
    )
    actor = _creator_actor(creator)
    await system_messages.post(conn, room.id, actor, "conversation_created", now=now)
    await attendees.add_user(conn, room, creator, actor=actor, participant_type=p.OWNER, now=now, announce=False)
    for user in valid_users:
        await attendees.add_user(conn, room, user, actor=actor, now=now)
    for gid in valid_groups:
        await attendees.add_group(conn, room, gid, actor=actor, now=now)
    room = await r.get_by_id(conn, room.id) or room
    return Created(room, True, invalid if any(invalid.values()) else None)


async def _check_may_create(conn: Conn, creator: User) -> None:
    allowed = [str(g) for g in (await AppConfig.load(conn, APP)).array("start_conversations")]
    if allowed and not set(allowed) & set(await accounts.user_group_ids(conn, creator.uid)):
        raise Forbidden("permissions", data={"error": "permissions"})


def _validated_values(request: NewRoom, name: str) -> dict[str, Any]:
    if not name or len(name) > NAME_MAX_LENGTH:
        raise _bad("name")
    object_type = request.object_type.strip()
    object_id = request.object_id.strip()
    if len(object_type) > OBJECT_MAX_LENGTH:
        raise _bad("object-type")
    if len(object_id) > OBJECT_MAX_LENGTH:
        raise _bad("object-id")
    if bool(object_type) != bool(object_id):
        raise _bad("object")
    allowed_types = PUBLIC_OBJECT_TYPES | (INTERNAL_OBJECT_TYPES if request.allow_internal_object_types else set())
    if object_type not in allowed_types:
        raise _bad("object-type")
    if object_type in PHONE_OBJECT_TYPES:
        object_id = "phone"
    if request.read_only not in (r.READ_WRITE, r.READ_ONLY):
        raise _bad("read-only")
    if request.listable not in (r.LISTABLE_NONE, r.LISTABLE_USERS, r.LISTABLE_ALL):
        raise _bad("listable")
    if request.message_expiration < 0:
        raise _bad("message-expiration")
    if request.lobby_state not in (r.LOBBY_NONE, r.LOBBY_NON_MODERATORS):
        raise _bad("lobby")
    if request.lobby_timer is not None and request.lobby_timer < 0:
        raise _bad("lobby-timer")
    if request.sip_enabled != 0:
        raise _bad("sip-enabled", "SIP is not configured on this server")
    if not 0 <= request.permissions <= p.PERMISSIONS_MAX_CUSTOM:
        raise _bad("permissions")
    if request.recording_consent != 0:
        raise _bad("recording-consent", "Call recording is not available on this server")
    if request.mention_permissions not in (0, 1):
        raise _bad("mention-permissions")
    if len(request.description) > room_settings.DESCRIPTION_MAX_LENGTH:
        raise _bad("description")
    if request.emoji is not None or request.avatar_color is not None:
        raise _bad("avatar", "Conversation avatars are not supported")
    permissions = request.permissions
    if permissions != p.PERMISSIONS_DEFAULT:
        permissions |= p.PERMISSIONS_CUSTOM
    return {
        "object_type": object_type,
        "object_id": object_id,
        "read_only": request.read_only,
        "listable": request.listable,
        "message_expiration": request.message_expiration,
        "lobby_state": request.lobby_state,
        "lobby_timer": request.lobby_timer if request.lobby_state else None,
        "default_permissions": permissions,
        "mention_permissions": request.mention_permissions,
        "description": request.description,
    }


async def _sort_invitations(
    conn: Conn, participants: dict[str, list[str]], creator: User
) -> tuple[list[User], list[str], dict[str, list[str]]]:
    invalid: dict[str, list[str]] = {kind: [] for kind in INVITATION_KINDS}
    uids = [str(u) for u in participants["users"] if str(u) != creator.uid]
    rows = await accounts.get_users(conn, uids)
    users: list[User] = []
    for uid in dict.fromkeys(uids):
        row = rows.get(uid)
        if row is None:
            invalid["users"].append(uid)
        else:
            users.append(User(uid=uid, display_name=row.display_name))
    groups: list[str] = []
    for gid in dict.fromkeys(str(g) for g in participants["groups"]):
        if await accounts.get_group(conn, gid) is None:
            invalid["groups"].append(gid)
        else:
            groups.append(gid)
    # Federation, e-mail, phone and team invitations are not supported.
    for kind in ("federated_users", "emails", "phones", "teams"):
        invalid[kind] = [str(v) for v in participants[kind]]
    return users, groups, invalid


async def _insert_room(conn: Conn, *, room_type: int, name: str, now: int, **values: Any) -> Room:
    token = await r.unused_token(conn)
    room_id = await store.insert(
        conn, token=token, type=room_type, name=name, created_at=now, last_activity=now, modified_at=now, **values
    )
    room = await r.get_by_id(conn, room_id)
    assert room is not None
    return room


async def create_one_to_one(conn: Conn, creator: User, target_uid: str) -> Created:
    """Talk's one-to-one: 403 ``invite`` for yourself, 404 for unknown users, 200 when it exists."""
    if not target_uid or target_uid == creator.uid:
        raise Forbidden("invite", data={"error": "invite"})
    row = await accounts.get_user(conn, target_uid)
    if row is None:
        raise NotFound("invite", data={"error": "invite"})
    target = User(uid=target_uid, display_name=row.display_name)
    now = int(time.time())
    actor = _creator_actor(creator)
    existing = await store.find_by_type_and_name(conn, r.ONE_TO_ONE, r.one_to_one_name(creator.uid, target_uid))
    if existing is not None:
        room = Room.from_row(existing)
        # Someone who left a one-to-one is brought back when it is opened again.
        for user in (creator, target):
            await attendees.add_user(conn, room, user, actor=actor, participant_type=p.OWNER, now=now, announce=False)
        return Created(await r.get_by_id(conn, room.id) or room, False)
    room = await _insert_room(conn, room_type=r.ONE_TO_ONE, name=r.one_to_one_name(creator.uid, target_uid), now=now)
    await system_messages.post(conn, room.id, actor, "conversation_created", now=now)
    for user in (creator, target):
        await attendees.add_user(conn, room, user, actor=actor, participant_type=p.OWNER, now=now, announce=False)
    return Created(await r.get_by_id(conn, room.id) or room, True)


async def note_to_self(conn: Conn, user: User) -> Room:
    """The user's note-to-self room, created on first use (by the system actor, as Talk does)."""
    existing = await store.find_by_object(conn, r.NOTE_TO_SELF, r.NOTE_TO_SELF_OBJECT, user.uid)
    if existing is not None:
        return Room.from_row(existing)
    now = int(time.time())
    room = await _insert_room(
        conn,
        room_type=r.NOTE_TO_SELF,
        name=NOTE_TO_SELF_NAME,
        now=now,
        description=NOTE_TO_SELF_DESCRIPTION,
        object_type=r.NOTE_TO_SELF_OBJECT,
        object_id=user.uid,
    )
    await system_messages.post(conn, room.id, actors.SYSTEM, "conversation_created", now=now)
    attendee_id = await attendees.add_user(
        conn, room, user, actor=actors.SYSTEM, participant_type=p.OWNER, now=now, announce=False
    )
    if attendee_id is not None:
        await participant_store.update_attendee(conn, attendee_id, favorite=True)
    return await r.get_by_id(conn, room.id) or room
