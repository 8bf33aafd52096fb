"""The Room and Participant objects of Talk's API, computed for the participant who asks: a
conversation with the caller's place in it, its call and its chat, so it draws on every domain.

``format_room`` builds the object from groups of fields, one function per group, so that each
feature fills its own: ``_room_fields`` (the conversation's settings), ``_participant_fields`` (the
asking attendee and its session), ``_call_fields`` (call state), ``_chat_fields`` (read markers and
unread counters) and ``_last_message``. Every key the OpenAPI ``Room`` schema requires is present,
with the JSON types the real server uses (``readOnly`` an int, ``hasPassword`` a bool,
``sessionId`` the string ``"0"`` when not joined).

Without a participant (a visitor of a public or listable room) Talk returns the room's own
values with neutral defaults: participantType 4, attendeeId 0, permissions 1 and no lastMessage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from causerie.services.accounts.users import User
from causerie.services.avatars import rooms as room_avatars
from causerie.services.chat import format as chat_format
from causerie.services.config.appconfig import AppConfig
from causerie.services.rooms import actors, calls
from causerie.services.rooms import participants as p
from causerie.services.rooms import rooms as r
from causerie.services.rooms.participants import Listed, Participant
from causerie.services.rooms.rooms import Room
from causerie.services.status import statuses as user_statuses
from causerie.services.status.statuses import UserStatus
from causerie.storage.chat import messages as message_store
from causerie.storage.db import Conn
from causerie.storage.rooms import names as name_store
from causerie.storage.rooms import participants as participant_store

NOTIFY_NEVER = r.NOTIFY_NEVER
ONE_TO_ONE_TYPES = (r.ONE_TO_ONE, r.ONE_TO_ONE_FORMER)


@dataclass(frozen=True)
class Viewer:
    """Whose eyes the room is formatted for, and the configuration it is read with."""

    user: User | None
    config: AppConfig


# Talk counts every unread message; counting stops here so that a member who never read a big room
# does not pay for all of it on every room list (the apps show such numbers as "999+" or "1K").
UNREAD_CAP = 1000


@dataclass(frozen=True)
class _ChatFacts:
    """What formatting a room reads from other tables, fetched per room or for a whole list."""

    display_names: Mapping[str, str]
    common_read: Mapping[int, int]
    unread: Mapping[int, int]
    last_messages: Mapping[int, dict[str, Any]]


async def format_room(
    conn: Conn,
    room: Room,
    participant: Participant | None,
    viewer: Viewer,
    *,
    include_last_message: bool = True,
    statuses: Mapping[str, UserStatus] | None = None,
) -> dict[str, Any]:
    """``statuses``: the user statuses read for a list (``includeStatus``); a one-to-one room then
    carries its other user's, as Talk's RoomFormatter adds them."""
    participants = {room.id: participant} if participant is not None else {}
    facts = await _facts(conn, [room], participants, viewer, include_last_message=include_last_message)
    return _format(room, participant, viewer, facts, statuses)


async def format_rooms(
    conn: Conn,
    found: Sequence[Room],
    participants: Mapping[int, Participant],
    viewer: Viewer,
    *,
    include_last_message: bool = True,
    statuses: Mapping[str, UserStatus] | None = None,
) -> list[dict[str, Any]]:
    """``format_room`` of each room of ``found`` (with its participant from ``participants``), in a
    constant number of statements whatever the number of rooms."""
    facts = await _facts(conn, found, participants, viewer, include_last_message=include_last_message)
    return [_format(room, participants.get(room.id), viewer, facts, statuses) for room in found]


async def _facts(
    conn: Conn,
    found: Sequence[Room],
    participants: Mapping[int, Participant],
    viewer: Viewer,
    *,
    include_last_message: bool,
) -> _ChatFacts:
    joined = [room for room in found if room.id in participants]
    ids = [room.id for room in joined]
    partners = {uid for room in found if room.type in ONE_TO_ONE_TYPES for uid in room.one_to_one_users()}
    display_names = await name_store.user_names(conn, partners) if partners else {}
    common_read = await participant_store.min_last_read_of_rooms(conn, ids)
    unread: dict[int, int] = {}
    if viewer.user is not None and len(joined) > 1:
        unread = await message_store.count_unread_of_actor(conn, actors.USERS, viewer.user.uid, ids, UNREAD_CAP)
    else:
        for room in joined:
            marker = participants[room.id].attendee.last_read_message
            unread[room.id] = await message_store.count_unread(conn, room.id, marker, UNREAD_CAP)
    last: Mapping[int, dict[str, Any]] = {}
    if include_last_message and joined:
        # One viewer for the whole list: its attendees of all rooms are the same actor.
        viewer_actor = participants[joined[0].id].actor
        last = await chat_format.last_messages(conn, [chat_format.RoomRef.of(room) for room in joined], viewer_actor)
    return _ChatFacts(display_names, common_read, unread, last)


def _format(
    room: Room,
    participant: Participant | None,
    viewer: Viewer,
    facts: _ChatFacts,
    statuses: Mapping[str, UserStatus] | None,
) -> dict[str, Any]:
    data = _room_fields(room, participant, viewer, facts.display_names)
    partner = one_to_one_partner(room, viewer)
    if statuses is not None and partner is not None:
        data.update(status_fields(statuses.get(partner)))
    data.update(_participant_fields(room, participant, viewer))
    data.update(_call_fields(room, participant, viewer))
    data.update(_chat_fields(room, participant, facts))
    last_message = facts.last_messages.get(room.id) if participant is not None else None
    if last_message is not None:
        data["lastMessage"] = last_message
    return data


def one_to_one_partner(room: Room, viewer: Viewer) -> str | None:
    """The other user of a one-to-one room, for the user looking at it."""
    if room.type != r.ONE_TO_ONE or viewer.user is None:
        return None
    others = [uid for uid in room.one_to_one_users() if uid != viewer.user.uid]
    return others[0] if others else None


def status_fields(status: UserStatus | None) -> dict[str, Any]:
    """``status``, ``statusIcon``, ``statusMessage``, ``statusClearAt`` of a user; offline without a status."""
    if status is None:
        return {"status": user_statuses.OFFLINE, "statusIcon": None, "statusMessage": None, "statusClearAt": None}
    return {
        "status": user_statuses.visible_status(status),
        "statusIcon": status.custom_icon,
        "statusMessage": status.custom_message,
        "statusClearAt": status.clear_at,
    }


def default_avatar_version(room: Room) -> str:
    return room_avatars.default_version(room)


def _names(room: Room, viewer: Viewer, display_names: Mapping[str, str]) -> tuple[str, str]:
    """``name`` and ``displayName``: for one-to-one rooms the other user's id and display name."""
    if room.type in ONE_TO_ONE_TYPES:
        users = room.one_to_one_users()
        me = viewer.user.uid if viewer.user is not None else ""
        others = [uid for uid in users if uid != me] or users
        other = others[0] if others else ""
        return other, display_names.get(other, other)
    return room.name, room.name


def _room_fields(
    room: Room, participant: Participant | None, viewer: Viewer, display_names: Mapping[str, str]
) -> dict[str, Any]:
    name, display_name = _names(room, viewer, display_names)
    visible_details = participant is not None or room.listable != r.LISTABLE_NONE
    neutral = 1  # Talk's permissions for someone who is not a participant.
    return {
        "id": room.id,
        "token": room.token,
        "type": room.type,
        "name": name,
        "displayName": display_name,
        "objectType": room.object_type,
        "objectId": room.object_id,
        "readOnly": room.read_only,
        "hasPassword": room.has_password,
        "lastActivity": room.last_activity,
        "lobbyState": room.lobby_state,
        "lobbyTimer": room.lobby_timer or 0,
        "sipEnabled": room.sip_enabled,
        "callPermissions": room.call_permissions if participant is not None else neutral,
        "defaultPermissions": room.default_permissions if participant is not None else neutral,
        "description": room.description if visible_details else "",
        "listable": room.listable,
        "messageExpiration": room.message_expiration,
        "avatarVersion": room.avatar_version or default_avatar_version(room),
        "isCustomAvatar": room.avatar_version != "",
        "breakoutRoomMode": 0,
        "breakoutRoomStatus": 0,
        "recordingConsent": room.recording_consent,
        "mentionPermissions": room.mention_permissions,
        "liveTranscriptionLanguageId": "",
    }


def _participant_fields(room: Room, participant: Participant | None, viewer: Viewer) -> dict[str, Any]:
    if participant is None:
        return {
            "participantType": p.GUEST,
            "actorType": "",
            "actorId": "",
            "attendeeId": 0,
            "permissions": p.PERMISSIONS_CUSTOM,
            "attendeePermissions": p.PERMISSIONS_CUSTOM,
            "attendeePin": "",
            "isFavorite": False,
            "isArchived": False,
            "isImportant": False,
            "isSensitive": False,
            "notificationLevel": NOTIFY_NEVER,
            "notificationCalls": 0,
            "lastPing": 0,
            "sessionId": "0",
            "canLeaveConversation": False,
            "canDeleteConversation": False,
            "canEnableSIP": False,
        }
    attendee = participant.attendee
    session = participant.session
    return {
        "participantType": attendee.participant_type,
        "actorType": attendee.actor_type,
        "actorId": attendee.actor_id,
        "attendeeId": attendee.id,
        "permissions": participant.permissions,
        "attendeePermissions": attendee.permissions,
        "attendeePin": "",
        "isFavorite": attendee.favorite,
        "isArchived": attendee.archived,
        "isImportant": attendee.important,
        "isSensitive": attendee.sensitive,
        "notificationLevel": r.notification_level(
            room,
            attendee.notification_level,
            group_default=viewer.config.integer(r.DEFAULT_GROUP_NOTIFICATION, r.NOTIFY_MENTION),
            is_guest=participant.is_guest,
        ),
        "notificationCalls": attendee.notification_calls,
        "lastPing": session.last_ping if session is not None else 0,
        "sessionId": session.session_id if session is not None else "0",
        "canLeaveConversation": room.type != r.NOTE_TO_SELF,
        "canDeleteConversation": participant.is_moderator and not room.is_one_to_one,
        "canEnableSIP": False,
    }


def _call_fields(room: Room, participant: Participant | None, viewer: Viewer) -> dict[str, Any]:
    session = participant.session if participant is not None else None
    return {
        "hasCall": room.active_since is not None,
        "callFlag": room.call_flag,
        "callStartTime": room.active_since or 0,
        "callRecording": 0,
        "participantFlags": session.in_call if session is not None else 0,
        "canStartCall": calls.can_start_call(room, participant, viewer.config),
    }


def _chat_fields(room: Room, participant: Participant | None, facts: _ChatFacts) -> dict[str, Any]:
    if participant is None:
        return {
            "lastReadMessage": 0,
            "lastCommonReadMessage": 0,
            "unreadMessages": 0,
            "unreadMention": False,
            "unreadMentionDirect": False,
        }
    attendee = participant.attendee
    return {
        "lastReadMessage": attendee.last_read_message,
        "lastCommonReadMessage": facts.common_read.get(room.id, 0),
        "unreadMessages": facts.unread.get(room.id, 0),
        "unreadMention": attendee.last_mention_message > attendee.last_read_message,
        "unreadMentionDirect": attendee.last_mention_direct > attendee.last_read_message,
    }


def format_participant(
    room: Room, listed: Listed, admin_default: int, statuses: Mapping[str, UserStatus] | None = None
) -> dict[str, Any]:
    """One entry of ``GET /room/{token}/participants``; users carry their status when ``statuses``
    were read (``includeStatus``)."""
    attendee = listed.attendee
    in_call = 0
    last_ping = 0
    for session in listed.sessions:
        in_call |= session.in_call
        last_ping = max(last_ping, session.last_ping)
    entry = {
        "roomToken": room.token,
        "inCall": in_call,
        "lastPing": last_ping,
        "sessionIds": [s.session_id for s in listed.sessions],
        "participantType": attendee.participant_type,
        "attendeeId": attendee.id,
        "actorId": attendee.actor_id,
        "actorType": attendee.actor_type,
        "displayName": _attendee_display_name(attendee),
        "permissions": p.effective_permissions(room, attendee, admin_default),
        "attendeePermissions": attendee.permissions,
        "attendeePin": "",
        "phoneNumber": "",
        "callId": "",
    }
    if statuses is not None and attendee.actor_type == actors.USERS:
        entry.update(status_fields(statuses.get(attendee.actor_id)))
    return entry


def _attendee_display_name(attendee: p.Attendee) -> str:
    if attendee.actor_type == actors.USERS and not attendee.display_name:
        return attendee.actor_id
    return attendee.display_name
