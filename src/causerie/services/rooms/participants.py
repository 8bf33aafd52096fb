"""Who is in a conversation, with which rights, and their Talk sessions.

What other features use (chat, calls, the external call service):

- ``Requester``: who asks, without HTTP types: the logged-in user (or None for a guest) and the
  Talk session ids the caller's cookie session keeps per room token (Talk's ``spreed-session``).
  ``causerie.api.rooms.access.requester(ctx)`` builds it from a request.
- ``load_for_request(conn, requester, token)`` → ``(Room, Participant)``. Unknown rooms and anyone
  who is not a participant get ``NotFound(throttle="talkRoomToken")``, which the HTTP layer turns
  into Talk's 404 with a brute-force attempt. Users are found by their attendee row, guests only
  through the Talk session their cookie session holds for that room (a guest who has not joined
  is not a participant). ``load_viewer`` is the lenient variant of ``GET /room/{token}``: public
  rooms (and listable ones, for users) are visible without being a participant.
- ``Participant``: ``.actor`` (``services.actors.Actor``), ``.attendee_id``, ``.participant_type``,
  ``.permissions`` (effective bits, computed as Talk does: moderators get everything, otherwise the
  attendee's own bits, else the room's default, else the admin default), ``.session`` /
  ``.session_id`` (the Talk session of this request, when joined), ``.is_moderator``,
  ``.is_guest``, ``.can_chat`` (chat permission and not read-only), ``has_permission(bit)``.

Adding and removing attendees is ``services.rooms.attendees``; joining and leaving (Talk sessions)
is ``services.rooms.joining``.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Row

from causerie.services.accounts.users import Account, User
from causerie.services.config.appconfig import AppConfig
from causerie.services.config.talk_config import APP
from causerie.services.errors import Forbidden, NotFound
from causerie.services.rooms import actors
from causerie.services.rooms.actors import Actor
from causerie.services.rooms.rooms import (
    LISTABLE_NONE,
    LOBBY_NON_MODERATORS,
    NOTE_TO_SELF,
    PUBLIC,
    ROOM_TOKEN_ACTION,
    Room,
    lobby_timer_passed,
)
from causerie.storage import rows
from causerie.storage.config.appconfig import StoredValue
from causerie.storage.db import Conn
from causerie.storage.rooms import participants as store
from causerie.storage.rooms import rooms as room_store

# Participant types.
OWNER = 1
MODERATOR = 2
USER = 3
GUEST = 4
USER_SELF_JOINED = 5
GUEST_MODERATOR = 6
MODERATOR_TYPES = (OWNER, MODERATOR, GUEST_MODERATOR)

# Permission bits.
PERMISSIONS_DEFAULT = 0
PERMISSIONS_CUSTOM = 1
PERMISSIONS_CALL_START = 2
PERMISSIONS_CALL_JOIN = 4
PERMISSIONS_LOBBY_IGNORE = 8
PERMISSIONS_PUBLISH_AUDIO = 16
PERMISSIONS_PUBLISH_VIDEO = 32
PERMISSIONS_PUBLISH_SCREEN = 64
PERMISSIONS_CHAT = 128
PERMISSIONS_MAX_DEFAULT = 254
PERMISSIONS_MAX_CUSTOM = 255

# In-call flags.
IN_CALL_DISCONNECTED = 0

# The key of the cookie session's data under which Talk keeps token -> Talk session id.
SESSION_KEY = "spreed-session"

# Attendee ids are INTEGER columns, 32 bits on PostgreSQL; a client may name any 64-bit id.
MAX_ATTENDEE_ID = 2**31 - 1
_SESSION_ID_ALPHABET = string.ascii_letters + string.digits + "+/"
SESSION_ID_LENGTH = 255


def new_session_id() -> str:
    return "".join(secrets.choice(_SESSION_ID_ALPHABET) for _ in range(SESSION_ID_LENGTH))


def guest_actor_id(session_id: str) -> str:
    """A guest's actor id: the sha1 of the Talk session it first joined with, as Talk derives it."""
    return hashlib.sha1(session_id.encode()).hexdigest()


DEFAULT_PERMISSIONS_KEY = "default_permissions"


def admin_default_permissions(config: AppConfig) -> int:
    """``default_permissions`` of the app config; unset means everything but ignoring the lobby."""
    value = config.integer(DEFAULT_PERMISSIONS_KEY)
    return value if value != PERMISSIONS_DEFAULT else PERMISSIONS_MAX_DEFAULT & ~PERMISSIONS_LOBBY_IGNORE


@dataclass(frozen=True)
class Attendee:
    id: int
    room_id: int
    actor_type: str
    actor_id: str
    display_name: str
    participant_type: int
    favorite: bool
    archived: bool
    important: bool
    sensitive: bool
    notification_level: int
    notification_calls: int
    last_read_message: int
    last_mention_message: int
    last_mention_direct: int
    read_privacy: int
    permissions: int
    last_joined_call: int
    last_attendee_activity: int
    invited_cloud_id: str

    @classmethod
    def from_row(cls, row: Row[Any], prefix: str = "") -> Attendee:
        values = rows.fields_of(cls, row, prefix)
        for flag in ("favorite", "archived", "important", "sensitive"):
            values[flag] = bool(values[flag])
        return rows.build(cls, values)

    @property
    def actor(self) -> Actor:
        return Actor(self.actor_type, self.actor_id, self.display_name)

    @property
    def is_moderator(self) -> bool:
        return self.participant_type in MODERATOR_TYPES


@dataclass(frozen=True)
class TalkSession:
    id: int
    attendee_id: int
    session_id: str
    in_call: int
    last_ping: int
    state: int

    @classmethod
    def from_row(cls, row: Row[Any]) -> TalkSession:
        return rows.from_row(cls, row)


def effective_permissions(room: Room, attendee: Attendee, admin_default: int) -> int:
    """Talk's permission fallback chain: moderators get everything, then attendee, call, room, admin."""
    if attendee.is_moderator:
        return PERMISSIONS_MAX_DEFAULT
    for value in (attendee.permissions, room.call_permissions, room.default_permissions):
        if value != PERMISSIONS_DEFAULT:
            return value
    return admin_default


@dataclass(frozen=True)
class Participant:
    """An attendee of a room as seen in one request (with the request's Talk session, if any)."""

    room: Room
    attendee: Attendee
    session: TalkSession | None
    admin_default_permissions: int

    @property
    def actor(self) -> Actor:
        return self.attendee.actor

    @property
    def attendee_id(self) -> int:
        return self.attendee.id

    @property
    def participant_type(self) -> int:
        return self.attendee.participant_type

    @property
    def session_id(self) -> str | None:
        return None if self.session is None else self.session.session_id

    @property
    def is_moderator(self) -> bool:
        return self.attendee.is_moderator

    @property
    def is_guest(self) -> bool:
        return self.attendee.actor_type == actors.GUESTS

    @property
    def is_user(self) -> bool:
        return self.attendee.actor_type == actors.USERS

    @property
    def permissions(self) -> int:
        return effective_permissions(self.room, self.attendee, self.admin_default_permissions)

    def has_permission(self, bit: int) -> bool:
        return bool(self.permissions & bit)

    @property
    def can_chat(self) -> bool:
        """Talk's rule for posting: the chat permission, and the room is not read-only."""
        return self.has_permission(PERMISSIONS_CHAT) and not self.room.read_only


@dataclass(frozen=True)
class Requester:
    """Who asks: a user (or None for a guest) and the Talk sessions its cookie session holds."""

    user: User | None
    room_sessions: Mapping[str, str] = field(default_factory=dict)

    def session_for(self, token: str) -> str | None:
        value = self.room_sessions.get(token)
        return value if isinstance(value, str) and value else None


# --- lookups ------------------------------------------------------------------------------------


async def _admin_default(conn: Conn) -> int:
    return admin_default_permissions(await AppConfig.load(conn, APP))


async def load_with_account(
    conn: Conn, requester: Requester, token: str
) -> tuple[Room, Participant | None, Account | None]:
    """The room of ``token`` (404 without it), the requester's participant in it, and for a user
    the user's own row (None when it is gone): remembered credentials are confirmed against it.
    For a user, all of them and the administrator's default permissions come in one statement."""
    user = requester.user
    if "\x00" in token:
        # No token holds one, and PostgreSQL refuses the byte in a text parameter.
        raise NotFound(throttle=ROOM_TOKEN_ACTION, data=[])
    if user is None:
        row = await room_store.get_by_token_with_config(conn, token, APP, DEFAULT_PERMISSIONS_KEY)
    else:
        row = await room_store.get_by_token_for_user(conn, token, APP, DEFAULT_PERMISSIONS_KEY, user.uid)
    if row is None:
        raise NotFound(throttle=ROOM_TOKEN_ACTION, data=[])
    values = {}
    if row.config_value is not None:
        values[DEFAULT_PERMISSIONS_KEY] = StoredValue(DEFAULT_PERMISSIONS_KEY, row.config_value, row.config_type, False)
    room = Room.from_row(row)
    admin_default = admin_default_permissions(AppConfig(APP, values))
    if user is None:
        return room, await find_participant(conn, room, requester, admin_default=admin_default), None
    stored = None
    if getattr(row, room_store.USER_PREFIX + "uid") is not None:
        stored = rows.from_row(Account, row, room_store.USER_PREFIX)
    prefix = room_store.ATTENDEE_PREFIX
    if getattr(row, prefix + "id") is None:
        return room, None, stored
    attendee = Attendee.from_row(row, prefix)
    session = await _session_of(conn, requester.session_for(room.token), attendee.id)
    return room, Participant(room, attendee, session, admin_default), stored


async def _session_of(conn: Conn, session_id: str | None, attendee_id: int) -> TalkSession | None:
    if session_id is None:
        return None
    row = await store.get_session(conn, session_id)
    if row is None or row.attendee_id != attendee_id:
        return None
    return TalkSession.from_row(row)


async def find_participants(
    conn: Conn, found: Sequence[Room], user: User, requester: Requester, *, admin_default: int
) -> dict[int, Participant]:
    """``find_participant`` of a user in each room of ``found`` (by room id), in two statements
    whatever their number: a room list must not cost a query per room."""
    by_id = {room.id: room for room in found}
    rows = await store.attendees_of_actor(conn, actors.USERS, user.uid, list(by_id))
    wanted = {room_id: sid for room_id in rows if (sid := requester.session_for(by_id[room_id].token)) is not None}
    sessions = await store.get_sessions(conn, sorted(set(wanted.values())))
    result = {}
    for room_id, row in rows.items():
        attendee = Attendee.from_row(row)
        session_row = sessions.get(wanted.get(room_id, ""))
        session = None
        if session_row is not None and session_row.attendee_id == attendee.id:
            session = TalkSession.from_row(session_row)
        result[room_id] = Participant(by_id[room_id], attendee, session, admin_default)
    return result


async def find_participant(
    conn: Conn, room: Room, requester: Requester, *, admin_default: int | None = None
) -> Participant | None:
    """The requester's participant in ``room``, or None when it is not one (``admin_default``: the
    administrator's default permissions when the caller has read them)."""
    session_id = requester.session_for(room.token)
    if requester.user is not None:
        row = await store.get_attendee(conn, room.id, actors.USERS, requester.user.uid)
        if row is None:
            return None
        attendee = Attendee.from_row(row)
        session = await _session_of(conn, session_id, attendee.id)
    else:
        if session_id is None:
            return None
        session_row = await store.get_session(conn, session_id)
        if session_row is None:
            return None
        row = await store.get_attendee_by_id(conn, room.id, session_row.attendee_id)
        if row is None or row.actor_type != actors.GUESTS:
            return None
        attendee = Attendee.from_row(row)
        session = TalkSession.from_row(session_row)
    if admin_default is None:
        admin_default = await _admin_default(conn)
    return Participant(room, attendee, session, admin_default)


async def load_for_request(conn: Conn, requester: Requester, token: str) -> tuple[Room, Participant]:
    """The room and the requester's participant; 404 (counted under ``talkRoomToken``) otherwise."""
    room, participant, _ = await load_with_account(conn, requester, token)
    return room, require_participant(participant)


def require_participant(participant: Participant | None) -> Participant:
    """404 (counted under ``talkRoomToken``) for someone who is not a participant."""
    if participant is None:
        raise NotFound(throttle=ROOM_TOKEN_ACTION, data=[])
    return participant


def visible_without_joining(room: Room, requester: Requester) -> bool:
    """Talk's ``getRoomForUserByToken``: public rooms for everyone, listable rooms for users."""
    if room.type == PUBLIC:
        return True
    return requester.user is not None and room.listable != LISTABLE_NONE and room.type != NOTE_TO_SELF


async def load_viewer(conn: Conn, requester: Requester, token: str) -> tuple[Room, Participant | None]:
    """The room as ``GET /room/{token}`` shows it: participants, or visitors of visible rooms."""
    room, participant, _ = await load_with_account(conn, requester, token)
    if participant is None and not visible_without_joining(room, requester):
        raise NotFound(throttle=ROOM_TOKEN_ACTION, data=[])
    return room, participant


def require_moderator(participant: Participant) -> None:
    """Talk's ``RequireModeratorParticipant``: 403 for everyone else."""
    if not participant.is_moderator:
        raise Forbidden(data=[])


def lobby_keeps_out(room: Room, participant: Participant, now: int) -> bool:
    """Talk's ``RequireModeratorOrNoLobby``: the lobby keeps non-moderators out until its timer."""
    if room.lobby_state != LOBBY_NON_MODERATORS or participant.is_moderator:
        return False
    if participant.has_permission(PERMISSIONS_LOBBY_IGNORE):
        return False
    return not lobby_timer_passed(room, now)


async def get_participant(conn: Conn, room: Room, attendee_id: int) -> Participant | None:
    if not 0 < attendee_id <= MAX_ATTENDEE_ID:
        return None  # no such row; PostgreSQL would refuse the value for the column instead
    row = await store.get_attendee_by_id(conn, room.id, attendee_id)
    if row is None:
        return None
    return Participant(room, Attendee.from_row(row), None, await _admin_default(conn))


@dataclass(frozen=True)
class Listed:
    attendee: Attendee
    sessions: list[TalkSession]


async def list_participants(conn: Conn, room: Room) -> list[Listed]:
    attendee_rows = await store.list_attendees(conn, room.id)
    found = [Attendee.from_row(row) for row in attendee_rows]
    by_attendee: dict[int, list[TalkSession]] = {a.id: [] for a in found}
    for row in await store.sessions_of(conn, [a.id for a in found]):
        by_attendee[row.attendee_id].append(TalkSession.from_row(row))
    return [Listed(a, by_attendee[a.id]) for a in found]
