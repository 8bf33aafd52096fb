"""Who is in a conversation, with which rights, and their Talk sessions.

What other features use (chat, calls, the external call service):

- ``Requester``: who asks, without HTTP types: the logged-in user (or None for a guest) and the
  Talk session ids the caller's cookie session keeps per room token (Talk's ``spreed-session``).
  ``causerie.api.room_access.requester(ctx)`` builds it from a request.
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
- ``remove_participant(conn, room, attendee_id, actor=…)`` removes an attendee with Talk's system
  message; callers publish ``room_key(room.token)`` after their transaction commits.
"""

from __future__ import annotations

import hashlib
import secrets
import string
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Row

from causerie.services import actors, system_messages
from causerie.services.actors import Actor
from causerie.services.appconfig import AppConfig
from causerie.services.errors import BadRequest, Conflict, DomainError, Forbidden, NotFound
from causerie.services.rooms import (
    CHANGELOG,
    LISTABLE_NONE,
    LOBBY_NON_MODERATORS,
    NOTE_TO_SELF,
    PUBLIC,
    ROOM_PASSWORD_ACTION,
    ROOM_TOKEN_ACTION,
    Room,
    lobby_timer_passed,
)
from causerie.services.talk_config import APP
from causerie.services.users import Account, User, verify_password
from causerie.storage import accounts, rows
from causerie.storage import participants as store
from causerie.storage import rooms as room_store
from causerie.storage.appconfig import StoredValue
from causerie.storage.db import Conn, Database

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


# --- adding and removing ------------------------------------------------------------------------


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


async def _leave_call(
    conn: Conn, room: Room, attendee: Attendee, sessions: Sequence[Row[Any]], now: int, *, announce: bool
) -> None:
    """Take ending sessions out of the call first (``call_left``; the last one out ends the call)."""
    from causerie.services import calls  # calls builds on this module

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
    await _leave_call(conn, room, attendee, await store.sessions_of(conn, [attendee.id]), now, announce=False)
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
    await _leave_call(conn, room, attendee, await store.sessions_of(conn, [attendee.id]), now, announce=False)
    await store.delete_attendee(conn, attendee.id)
    if attendee.actor_type == actors.USERS and attendee.participant_type != USER_SELF_JOINED:
        await system_messages.post(conn, room.id, attendee.actor, "user_removed", {"user": attendee.actor_id}, now=now)
    await room_store.touch(conn, room.id, now)
    return False


async def set_guest_name(conn: Conn, participant: Participant, name: str) -> None:
    await store.update_attendee(conn, participant.attendee_id, display_name=name)


# --- joining and leaving (Talk sessions) --------------------------------------------------------


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
                await _leave_call(conn, room, Attendee.from_row(previous_attendee), [previous], now, announce=True)
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
        await _leave_call(conn, Room.from_row(room_row), attendee, [session_row], now, announce=True)
        await store.delete_session(conn, session_id)
        if attendee.participant_type in (GUEST, USER_SELF_JOINED) and not await store.sessions_of(conn, [attendee.id]):
            await store.delete_attendee(conn, attendee.id)
        await room_store.touch(conn, int(room_row.id), now)
    return True


def clean_guest_name(name: str) -> str:
    """Guest names are trimmed and cut to 64 characters."""
    return name.strip()[:64]
