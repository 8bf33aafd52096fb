"""Conversations ("rooms"): the model, Talk's constants, tokens and lookups.

What other features use:

- ``Room``: one row of ``rooms`` as a typed, immutable value (``room.token``, ``room.type``,
  ``room.read_only``, ``room.object_type``, ``room.has_password``, …).
- ``get(conn, token)`` → ``Room | None``; ``require(conn, token)`` raises
  ``NotFound(throttle="talkRoomToken")`` as Talk does for an unknown token.
- ``touch(conn, room, now)`` marks a room changed for ``GET /room?modifiedSince``; call it inside the
  write transaction of any change a room list must show, then publish ``room_key(token)`` after
  commit.

To resolve *who* is asking inside a room, use ``causerie.services.rooms.participants``.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Row

from causerie.services.errors import NotFound
from causerie.storage import rows
from causerie.storage.db import Conn
from causerie.storage.rooms import rooms as store

# Room types.
ONE_TO_ONE = 1
GROUP = 2
PUBLIC = 3
CHANGELOG = 4
ONE_TO_ONE_FORMER = 5
NOTE_TO_SELF = 6

# Read-only states.
READ_WRITE = 0
READ_ONLY = 1

# Listable scopes.
LISTABLE_NONE = 0
LISTABLE_USERS = 1
LISTABLE_ALL = 2

# Lobby states.
LOBBY_NONE = 0
LOBBY_NON_MODERATORS = 1

NOTE_TO_SELF_OBJECT = "note_to_self"

# Notification levels of an attendee.
NOTIFY_DEFAULT = 0
NOTIFY_ALWAYS = 1
NOTIFY_MENTION = 2
NOTIFY_NEVER = 3
# App config: the level of group conversations for attendees at the default level.
DEFAULT_GROUP_NOTIFICATION = "default_group_notification"

TOKEN_ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789"
TOKEN_LENGTH = 8
_RESERVED_TOKENS = {"settings", "backend"}

ROOM_TOKEN_ACTION = "talkRoomToken"
ROOM_PASSWORD_ACTION = "talkRoomPassword"


@dataclass(frozen=True)
class Room:
    id: int
    token: str
    type: int
    name: str
    description: str
    password_hash: str
    read_only: int
    listable: int
    object_type: str
    object_id: str
    default_permissions: int
    call_permissions: int
    lobby_state: int
    lobby_timer: int | None
    sip_enabled: int
    mention_permissions: int
    message_expiration: int
    recording_consent: int
    call_flag: int
    active_since: int | None
    call_started_by_type: str | None
    call_started_by_id: str | None
    last_activity: int
    last_message_id: int
    avatar_version: str
    created_at: int
    modified_at: int

    @classmethod
    def from_row(cls, row: Row[Any]) -> Room:
        return rows.from_row(cls, row)

    @property
    def has_password(self) -> bool:
        return self.password_hash != ""

    @property
    def is_one_to_one(self) -> bool:
        return self.type in (ONE_TO_ONE, ONE_TO_ONE_FORMER)

    def one_to_one_users(self) -> list[str]:
        """The two user ids of a one-to-one room (stored as a JSON array in the name, as Talk does)."""
        try:
            users = json.loads(self.name)
        except json.JSONDecodeError:
            return []
        return [str(u) for u in users] if isinstance(users, list) else []


def one_to_one_name(uid1: str, uid2: str) -> str:
    return json.dumps(sorted([uid1, uid2]))


def new_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


async def unused_token(conn: Conn) -> str:
    while True:
        token = new_token()
        if token not in _RESERVED_TOKENS and not await store.token_exists(conn, token):
            return token


async def get(conn: Conn, token: str) -> Room | None:
    row = await store.get_by_token(conn, token)
    return None if row is None else Room.from_row(row)


def notification_level(room: Room, level: int, *, group_default: int, is_guest: bool = False) -> int:
    """An attendee's level with the default resolved as Talk does: always in one-to-one rooms, the
    administrator's ``default_group_notification`` (mentions unless set) elsewhere, never for guests."""
    if level != NOTIFY_DEFAULT:
        return level
    if is_guest:
        return NOTIFY_NEVER
    return NOTIFY_ALWAYS if room.type == ONE_TO_ONE else group_default


def lobby_timer_passed(room: Room, now: int) -> bool:
    """The lobby is on but its timer has passed: it is open (Talk opens it when it notices)."""
    timer = room.lobby_timer
    return room.lobby_state == LOBBY_NON_MODERATORS and timer is not None and 0 < timer <= now


async def of_user(conn: Conn, uid: str) -> list[Room]:
    """The conversations a user is an attendee of, oldest first."""
    return [Room.from_row(row) for row in await store.list_for_actor(conn, "users", uid)]


def changed_since(room: Room, since: int, include_status: bool) -> bool:
    """Whether a room list asked ``modifiedSince`` must show the room again (Talk's rule)."""
    if include_status and room.type == ONE_TO_ONE:
        return True
    return room.last_activity >= since or room.modified_at >= since or room.active_since is not None


async def listed_for(conn: Conn, uid: str, search: str) -> list[Room]:
    """Listable conversations for users that ``uid`` has not joined, matching ``search``."""
    found = await store.list_listed(conn, min_listable=LISTABLE_USERS, exclude_actor=("users", uid), search=search)
    return [Room.from_row(row) for row in found]


async def get_by_id(conn: Conn, room_id: int) -> Room | None:
    row = await store.get_by_id(conn, room_id)
    return None if row is None else Room.from_row(row)


async def require(conn: Conn, token: str) -> Room:
    room = await get(conn, token)
    if room is None:
        raise NotFound(throttle=ROOM_TOKEN_ACTION, data=[])
    return room


async def touch(conn: Conn, room: Room, now: int) -> None:
    await store.touch(conn, room.id, now)
