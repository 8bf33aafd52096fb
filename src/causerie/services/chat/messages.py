"""The rules of Talk's chat: who may post, edit and delete what, read markers and mention markers.

Every function runs inside the caller's transaction (``db.read()`` / ``db.write()``) and takes the
room and participant the request resolved; the caller publishes ``room_key(token)`` after commit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from causerie.services.chat import files as chat_files
from causerie.services.chat import mentions as mention_parser
from causerie.services.chat import notifying
from causerie.services.chat.files import OBJECT_SHARED
from causerie.services.chat.format import COMMENT, REPLYABLE_ACTORS, REPLYABLE_TYPES, parameters_of
from causerie.services.chat.mentions import MentionRoom, Parsed
from causerie.services.errors import BadRequest, DomainError, Forbidden, NotFound, PayloadTooLarge, PreconditionFailed
from causerie.services.rooms.actors import GUESTS, USERS, Actor
from causerie.services.rooms.participants import Participant, lobby_keeps_out
from causerie.services.rooms.rooms import NOTE_TO_SELF, ONE_TO_ONE, ONE_TO_ONE_FORMER, PUBLIC, Room
from causerie.services.rooms.system_messages import post as post_system
from causerie.storage.chat import attachments
from causerie.storage.chat import markers as chat_markers
from causerie.storage.chat import messages as store
from causerie.storage.db import Conn
from causerie.storage.files import shares as share_store

# Characters in a message (Talk's ChatManager::MAX_CHAT_LENGTH), announced as config.chat.max-length.
MAX_LENGTH = 32000
REFERENCE_ID_LENGTH = 64
EDIT_WINDOW_S = 24 * 3600
HISTORY_LIMIT_DEFAULT = 100
HISTORY_LIMIT_MAX = 200
# Talk's code caps the wait at 30 s although its documentation says 60; Causerie allows the
# documented 60 (a waiting poll costs a future, not a PHP worker).
TIMEOUT_DEFAULT = 30
TIMEOUT_MAX = 60
MENTIONS_LIMIT_DEFAULT = 20
# Talk's guest mention spam limit: more than 50 messages with mentions from one address a day.
GUEST_MENTION_LIMIT = 50
GUEST_MENTION_WINDOW_S = 24 * 3600
GUEST_MENTION_ACTION = "talkGuestMention"

_TRIM = " \t\n\r\0\x0b"


def require_no_lobby(room: Room, participant: Participant) -> None:
    """Talk's ``RequireModeratorOrNoLobby``: the lobby keeps everyone else out of the chat."""
    if lobby_keeps_out(room, participant, int(time.time())):
        raise PreconditionFailed(data={"error": "lobby"})


def require_can_chat(participant: Participant) -> None:
    """Talk's chat permission and read-only checks (``RequirePermission``, ``RequireReadWrite…``)."""
    if not participant.can_chat or participant.room.type == 4:
        raise Forbidden(data=[])


MAX_ID = 2**63 - 1


def clamp_id(value: int) -> int:
    """Ids from clients fit the database's 64-bit integers (bigger ones match nothing anyway)."""
    return min(max(value, 0), MAX_ID)


def clamp_limit(value: int) -> int:
    return min(max(value, 1), HISTORY_LIMIT_MAX)


def clamp_timeout(value: int) -> int:
    return min(max(value, 0), TIMEOUT_MAX)


def _call_type(room: Room) -> str:
    if room.type in (ONE_TO_ONE, ONE_TO_ONE_FORMER, NOTE_TO_SELF):
        return "one2one"
    return "public" if room.type == PUBLIC else "group"


def mention_room(room: Room, base_url: str) -> MentionRoom:
    icon = f"{base_url.rstrip('/')}/ocs/v2.php/apps/spreed/api/v1/room/{room.token}/avatar"
    if room.avatar_version:
        icon += f"?v={room.avatar_version}"
    return MentionRoom(room.id, room.token, _call_type(room), room.name, icon)


def clean_message(message: str) -> str:
    """Talk trims the text, refuses it when empty (400) and when over the length limit (413)."""
    text = message.strip(_TRIM)
    if not text:
        raise BadRequest(data={"error": "message"})
    if len(text) > MAX_LENGTH:
        raise PayloadTooLarge(data={"error": "message"})
    return text


def can_mention_all(room: Room, participant: Participant) -> bool:
    return room.mention_permissions == 0 or participant.is_moderator


@dataclass(frozen=True)
class Draft:
    """A checked comment, ready to be stored: what the read phase of sending found out."""

    actor: Actor
    parsed: Parsed
    parent: Any  # the message replied to, or None
    reference_id: str
    silent: bool
    rename_guest: bool


@dataclass(frozen=True)
class Sent:
    message_id: int
    row: Any  # the stored message, as the storage would return it
    mentions_anyone: bool
    # A notification job was enqueued: wake the job runners after the commit.
    notifies: bool = False


async def draft(
    conn: Conn,
    room: Room,
    participant: Participant,
    *,
    message: str,
    base_url: str,
    actor_display_name: str = "",
    reply_to: int = 0,
    reference_id: str = "",
    silent: bool = False,
) -> Draft:
    """Check a comment and resolve its mentions (reads only; the send runs it in its write transaction)."""
    require_no_lobby(room, participant)
    require_can_chat(participant)
    text = clean_message(message)
    actor = participant.actor
    name = actor_display_name.strip(_TRIM)[:255]
    rename = participant.is_guest and bool(name) and name != actor.display_name
    if participant.is_guest and name:
        actor = Actor(actor.type, actor.id, name)
    parent = None
    if reply_to:
        parent = await store.get(conn, room.id, reply_to)
        if parent is None or not _replyable(parent):
            raise BadRequest(data={"error": "reply-to"})
    parsed = await mention_parser.parse(
        conn, mention_room(room, base_url), text, can_mention_all=can_mention_all(room, participant)
    )
    return Draft(actor, parsed, parent, reference_id.strip(_TRIM)[:REFERENCE_ID_LENGTH], silent, rename)


async def post(conn: Conn, room: Room, participant: Participant, draft: Draft, *, now: int | None = None) -> Sent:
    """Store a drafted comment and move the markers, inside the caller's write transaction."""
    now = int(time.time()) if now is None else now
    if draft.rename_guest:
        await chat_markers.set_display_name(conn, participant.attendee_id, draft.actor.display_name)
    values: dict[str, Any] = {
        "room_id": room.id,
        "message_type": COMMENT,
        "message": draft.parsed.message,
        "parameters": draft.parsed.parameters,
        "parent_id": None if draft.parent is None else int(draft.parent.id),
        "reference_id": draft.reference_id,
        "silent": draft.silent,
        "expire_at": now + room.message_expiration if room.message_expiration > 0 else None,
    }
    row = await store.insert(conn, actor=draft.actor, now=now, **values)
    message_id = int(row.id)
    await _mark_mentions(conn, room, participant, draft.parsed, message_id)
    # Your own message is read (Talk moves the sender's marker on send).
    await chat_markers.set_last_read(conn, participant.attendee_id, message_id)
    notifies = await notifying.announce(
        conn, room, draft.actor, message_id, draft.parsed.parameters, draft.parent, silent=draft.silent
    )
    told_bots = await notifying.tell_bots(conn, room, draft.actor, message_id)
    # ``store.insert`` moved the room's lastActivity, which is what room listings filter on.
    return Sent(message_id, row, draft.parsed.mentions_anyone, notifies or told_bots)


async def post_as(
    conn: Conn,
    room: Room,
    actor: Actor,
    *,
    message: str,
    base_url: str,
    reply_to: int = 0,
    reference_id: str = "",
    silent: bool = False,
    now: int | None = None,
) -> Sent:
    """A comment from an actor that is no attendee (a bot answering through its webhook): the text,
    reply and mention rules of a participant's message, without the participant's markers."""
    now = int(time.time()) if now is None else now
    text = clean_message(message)
    parent = None
    if reply_to:
        parent = await store.get(conn, room.id, reply_to)
        if parent is None or not _replyable(parent):
            raise BadRequest(data={"error": "reply-to"})
    parsed = await mention_parser.parse(conn, mention_room(room, base_url), text, can_mention_all=True)
    values: dict[str, Any] = {
        "room_id": room.id,
        "message_type": COMMENT,
        "message": parsed.message,
        "parameters": parsed.parameters,
        "parent_id": None if parent is None else int(parent.id),
        "reference_id": reference_id.strip(_TRIM)[:REFERENCE_ID_LENGTH],
        "silent": silent,
        "expire_at": now + room.message_expiration if room.message_expiration > 0 else None,
    }
    row = await store.insert(conn, actor=actor, now=now, **values)
    message_id = int(row.id)
    await _mark_mention_ids(conn, room, parsed, message_id, exclude=0)
    notifies = await notifying.announce(conn, room, actor, message_id, parsed.parameters, parent, silent=silent)
    return Sent(message_id, row, parsed.mentions_anyone, notifies)


async def send(conn: Conn, room: Room, participant: Participant, *, now: int | None = None, **fields: Any) -> Sent:
    """Draft and post in one transaction (for callers that hold a write transaction anyway)."""
    return await post(conn, room, participant, await draft(conn, room, participant, **fields), now=now)


def _replyable(row: Any) -> bool:
    return bool(row.message_type in REPLYABLE_TYPES and row.actor_type in REPLYABLE_ACTORS)


async def _mark_mentions(conn: Conn, room: Room, participant: Participant, parsed: Parsed, message_id: int) -> None:
    await _mark_mention_ids(conn, room, parsed, message_id, exclude=participant.attendee_id)


async def _mark_mention_ids(conn: Conn, room: Room, parsed: Parsed, message_id: int, *, exclude: int) -> None:
    sender = exclude
    if parsed.everyone:
        await chat_markers.mark_everyone(conn, room.id, message_id, exclude=sender)
    if parsed.groups:
        await chat_markers.mark_group_members(conn, room.id, parsed.groups, message_id, exclude=sender)
    direct = [(USERS, uid) for uid in parsed.users] + [(GUESTS, gid) for gid in parsed.guests]
    if direct:
        await chat_markers.mark_direct(conn, room.id, direct, message_id, exclude=sender)


async def message_for_change(conn: Conn, room: Room, participant: Participant, message_id: int) -> Any:
    """The message a participant edits or deletes, with Talk's ownership and type checks."""
    require_no_lobby(room, participant)
    require_can_chat(participant)
    row = await store.get(conn, room.id, message_id)
    if row is None:
        raise NotFound(data={"error": "message"})
    own = (row.actor_type, row.actor_id) == (participant.actor.type, participant.actor.id)
    if not own and (not participant.is_moderator or room.type in (ONE_TO_ONE, ONE_TO_ONE_FORMER)):
        raise Forbidden(data={"error": "permission"})
    if row.message_type not in (COMMENT, OBJECT_SHARED):
        raise DomainError(status=405, data={"error": "message"})
    return row


async def edit(
    conn: Conn,
    room: Room,
    participant: Participant,
    message_id: int,
    message: str,
    *,
    base_url: str,
    now: int | None = None,
) -> int:
    """Change a comment's text; returns the id of the ``message_edited`` system message."""
    if participant.is_guest:
        raise Forbidden(data={"error": "permission"})
    row = await message_for_change(conn, room, participant, message_id)
    now = int(time.time()) if now is None else now
    if room.type != NOTE_TO_SELF and now - int(row.created_at) > EDIT_WINDOW_S:
        raise BadRequest(data={"error": "age"})
    text = clean_message(message)
    parsed = await mention_parser.parse(
        conn, mention_room(room, base_url), text, can_mention_all=can_mention_all(room, participant)
    )
    await store.edit(
        conn, message_id, message=parsed.message, parameters=parsed.parameters, editor=participant.actor, now=now
    )
    await _mark_mentions(conn, room, participant, parsed, message_id)
    return await post_system(conn, room.id, participant.actor, "message_edited", {}, now=now, parent_id=message_id)


async def delete(conn: Conn, room: Room, participant: Participant, message_id: int, *, now: int | None = None) -> int:
    """Replace a comment by Talk's "deleted" stub; returns the id of the ``message_deleted`` message."""
    row = await message_for_change(conn, room, participant, message_id)
    now = int(time.time()) if now is None else now
    actor = participant.actor
    stub = {"deletedByType": actor.type, "deletedById": actor.id, "deletedByName": actor.display_name, "deletedAt": now}
    if row.message_type == OBJECT_SHARED:
        await _unshare(conn, participant, row)
    await store.replace(
        conn, int(row.id), message_type="comment_deleted", system_message="", message="", parameters=stub
    )
    return await post_system(conn, room.id, actor, "message_deleted", {}, now=now, parent_id=message_id)


async def _unshare(conn: Conn, participant: Participant, row: Any) -> None:
    """Deleting a file message deletes its share when a moderator or the share's owner deletes it
    (Talk's unshareFileOnMessageDelete); its shared-items entry goes in any case."""
    await attachments.remove(conn, int(row.id))
    share_id = chat_files.share_id_of(row, parameters_of(row))
    share = None if share_id is None else await share_store.by_id(conn, share_id)
    if share is None or share.room_id != participant.room.id:
        return
    if participant.is_moderator or (participant.is_user and participant.actor.id == share.owner):
        await share_store.delete_share(conn, int(share.id))


async def clear_history(conn: Conn, room: Room, participant: Participant, *, now: int | None = None) -> int:
    """Moderators wipe the chat; returns the id of the ``history_cleared`` message left behind."""
    if not participant.is_moderator:
        raise Forbidden(data=None)
    require_can_chat(participant)
    await share_store.delete_in_room(conn, room.id)
    await store.delete_all(conn, room.id)
    await chat_markers.reset_room(conn, room.id)
    return await post_system(conn, room.id, participant.actor, "history_cleared", {}, now=now)


async def set_read_marker(conn: Conn, room: Room, participant: Participant, last_read: int | None) -> int:
    """``POST /chat/{token}/read``: no id means "everything", Talk's ``chat-read-last``. Returns
    the marker set."""
    if last_read is None or last_read <= 0:
        last_read = await store.last_id(conn, room.id)
    await chat_markers.set_last_read(conn, participant.attendee_id, last_read)
    return last_read


async def mark_unread(conn: Conn, room: Room, participant: Participant) -> None:
    """``DELETE /chat/{token}/read``: the marker moves to just before the last message."""
    last = await store.last_id(conn, room.id)
    await chat_markers.set_last_read(conn, participant.attendee_id, await store.id_before(conn, room.id, last))


async def move_read_marker_forward(conn: Conn, participant: Participant, message_id: int) -> bool:
    """The long-poll's automatic marker: only ever forward, as Talk does for old clients."""
    if message_id <= participant.attendee.last_read_message:
        return False
    await chat_markers.set_last_read(conn, participant.attendee_id, message_id)
    return True
