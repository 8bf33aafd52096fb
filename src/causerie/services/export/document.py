"""A conversation's history as one JSON document, and that document imported as a new
conversation.

The document keeps what the database keeps, raw: every message with its stored text and
parameters (comments with their ``{mention-…}`` placeholders, system messages with Talk's
parameters), reply and reference links by message id, edits, expiry, and every reaction. Nothing
in it is worded for a viewer, so an import renders exactly as the original did. Ids are the
exporting server's; an import gives new ones and maps the links.

Importing makes a new conversation (new token). Participants are matched by id: users and groups
that exist on the importing server join it with their participant type and permissions; others
(users or groups unknown here, guests, e-mail and federated attendees) are not added, and the
import reports them. Their messages stay as they were, under the author's id and display name as
exported, like the messages of a user deleted after writing them. Files shared in the
conversation are not carried: their messages stay, without the file behind them.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from causerie.services.errors import BadRequest
from causerie.services.rooms import rooms
from causerie.services.rooms.rooms import Room
from causerie.storage.accounts import users as account_store
from causerie.storage.chat import messages as message_store
from causerie.storage.chat import reactions as reaction_store
from causerie.storage.db import Conn
from causerie.storage.rooms import participants as attendee_store
from causerie.storage.rooms import rooms as room_store

FORMAT = "causerie-conversation"
VERSION = 1
_PAGE = 1000

# Document key -> rooms column, for the conversation's settings.
_ROOM_FIELDS = {
    "type": "type",
    "name": "name",
    "description": "description",
    "readOnly": "read_only",
    "listable": "listable",
    "objectType": "object_type",
    "objectId": "object_id",
    "defaultPermissions": "default_permissions",
    "lobbyState": "lobby_state",
    "lobbyTimer": "lobby_timer",
    "mentionPermissions": "mention_permissions",
    "messageExpiration": "message_expiration",
    "createdAt": "created_at",
}
_ATTENDEE_FIELDS = {
    "actorType": "actor_type",
    "actorId": "actor_id",
    "displayName": "display_name",
    "participantType": "participant_type",
    "permissions": "permissions",
}
_MESSAGE_FIELDS = {
    "actorType": "actor_type",
    "actorId": "actor_id",
    "actorDisplayName": "actor_display_name",
    "messageType": "message_type",
    "systemMessage": "system_message",
    "message": "message",
    "referenceId": "reference_id",
    "createdAt": "created_at",
    "expireAt": "expire_at",
}
_EDIT_FIELDS = {
    "actorType": "last_edit_actor_type",
    "actorId": "last_edit_actor_id",
    "actorDisplayName": "last_edit_actor_display_name",
    "time": "last_edit_time",
}
_REACTION_FIELDS = {
    "actorType": "actor_type",
    "actorId": "actor_id",
    "actorDisplayName": "actor_display_name",
    "reaction": "reaction",
    "createdAt": "created_at",
}


def _parameters(raw: str) -> Any:
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return {}


async def messages_of(conn: Conn, room: Room) -> list[Any]:
    """Every stored message of the room, oldest first."""
    found: list[Any] = []
    after = 0
    while page := await message_store.all_of_room(conn, room.id, after, _PAGE):
        found.extend(page)
        after = int(page[-1].id)
    return found


async def export(conn: Conn, room: Room) -> dict[str, Any]:
    """The conversation, its participants, messages and reactions, as stored."""
    conversation: dict[str, Any] = {"token": room.token}
    conversation.update({key: getattr(room, column) for key, column in _ROOM_FIELDS.items()})
    attendees = await attendee_store.list_attendees(conn, room.id)
    participants = [{key: getattr(row, column) for key, column in _ATTENDEE_FIELDS.items()} for row in attendees]
    messages = []
    for row in await messages_of(conn, room):
        message: dict[str, Any] = {"id": int(row.id)}
        message.update({key: getattr(row, column) for key, column in _MESSAGE_FIELDS.items()})
        message["parameters"] = _parameters(row.parameters)
        message["parentId"] = None if row.parent_id is None else int(row.parent_id)
        message["silent"] = bool(row.silent)
        message["lastEdit"] = (
            None if row.last_edit_time is None else {key: getattr(row, column) for key, column in _EDIT_FIELDS.items()}
        )
        messages.append(message)
    reactions = [
        {"messageId": int(row.message_id), **{key: getattr(row, column) for key, column in _REACTION_FIELDS.items()}}
        for row in await reaction_store.of_room(conn, room.id)
    ]
    return {
        "format": FORMAT,
        "version": VERSION,
        "conversation": conversation,
        "participants": participants,
        "messages": messages,
        "reactions": reactions,
    }


@dataclass
class Imported:
    token: str
    messages: int
    reactions: int
    participants: list[str] = field(default_factory=list)
    # "type/id" of the attendees that were not added.
    skipped: list[str] = field(default_factory=list)


# The type each imported value must have (None: may be null), by document key.
_TYPES: dict[str, tuple[type, ...]] = {
    "type": (int,), "name": (str,), "description": (str,), "readOnly": (int,), "listable": (int,),
    "objectType": (str,), "objectId": (str,), "defaultPermissions": (int,), "lobbyState": (int,),
    "lobbyTimer": (int, type(None)), "mentionPermissions": (int,), "messageExpiration": (int,), "createdAt": (int,),
    "actorType": (str,), "actorId": (str,), "displayName": (str,), "participantType": (int,), "permissions": (int,),
    "actorDisplayName": (str, type(None)), "messageType": (str,), "systemMessage": (str, type(None)),
    "message": (str,), "referenceId": (str, type(None)), "expireAt": (int, type(None)), "time": (int,),
    "reaction": (str,), "id": (int,), "messageId": (int,), "parentId": (int, type(None)), "silent": (bool,),
    "parameters": (dict, list), "lastEdit": (dict, type(None)),
}  # fmt: skip


def _typed(where: str, item: dict[str, Any], required: tuple[str, ...]) -> None:
    for key in required:
        _require(key in item, f"{where} without {key}")
    for key, value in item.items():
        allowed = _TYPES.get(key)
        # bool is an int to Python; only "silent" takes one.
        wrong = allowed is not None and (
            not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed)
        )
        _require(not wrong, f"{where}: {key} is not of the right type")


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise BadRequest("document", f"Not a conversation export: {what}")


def _check(document: Any) -> None:
    _require(isinstance(document, dict), "not a JSON object")
    _require(document.get("format") == FORMAT, f"format is not {FORMAT!r}")
    _require(document.get("version") == VERSION, f"version {document.get('version')!r} is not {VERSION}")
    for key in ("conversation", "participants", "messages", "reactions"):
        _require(key in document, f"{key} missing")
    _require(isinstance(document["conversation"], dict), "conversation is not an object")
    for key in ("participants", "messages", "reactions"):
        _require(isinstance(document[key], list), f"{key} is not a list")
        _require(all(isinstance(item, dict) for item in document[key]), f"{key} holds something else than objects")
    _typed("conversation", document["conversation"], ())
    for participant in document["participants"]:
        _typed("a participant", participant, ("actorType", "actorId", "participantType"))
    for message in document["messages"]:
        _typed("a message", message, ("id", "actorType", "actorId", "messageType", "message", "createdAt"))
        if isinstance(message.get("lastEdit"), dict):
            _typed("an edit", message["lastEdit"], ())
    for reaction in document["reactions"]:
        _typed("a reaction", reaction, ("messageId", "actorType", "actorId", "reaction", "createdAt"))


async def _joins(conn: Conn, participant: dict[str, Any]) -> bool:
    actor_type, actor_id = participant.get("actorType"), str(participant.get("actorId", ""))
    if actor_type == "users":
        return await account_store.get_user(conn, actor_id) is not None
    if actor_type == "groups":
        return await account_store.get_group(conn, actor_id) is not None
    return False


async def import_document(conn: Conn, document: Any, *, now: int | None = None) -> Imported:
    """A new conversation holding the document's history (see the module's description)."""
    _check(document)
    now = int(time.time()) if now is None else now
    source = document["conversation"]
    try:
        values = {column: source[key] for key, column in _ROOM_FIELDS.items() if key in source}
        values.setdefault("created_at", now)
        values.setdefault("type", rooms.GROUP)
        token = await rooms.unused_token(conn)
        room_id = await room_store.insert(conn, token=token, last_activity=now, modified_at=now, **values)
        ids: dict[int, int] = {}
        for message in document["messages"]:
            row = {column: message.get(key) for key, column in _MESSAGE_FIELDS.items()}
            row.update({"room_id": room_id, "parameters": message.get("parameters") or {}})
            row["silent"] = bool(message.get("silent"))
            row["actor_display_name"] = row["actor_display_name"] or ""
            row["system_message"] = row["system_message"] or ""
            row["reference_id"] = row["reference_id"] or ""
            parent = message.get("parentId")
            row["parent_id"] = ids.get(int(parent)) if parent is not None else None
            edit = message.get("lastEdit")
            if isinstance(edit, dict):
                row.update({column: edit.get(key) for key, column in _EDIT_FIELDS.items()})
            ids[int(message["id"])] = await message_store.insert_row(conn, row)
        reactions = 0
        for reaction in document["reactions"]:
            message_id = ids.get(int(reaction["messageId"]))
            if message_id is None:
                continue
            row = {column: reaction.get(key) for key, column in _REACTION_FIELDS.items()}
            await reaction_store.insert_row(conn, {**row, "message_id": message_id, "room_id": room_id})
            reactions += 1
        result = Imported(token, len(ids), reactions)
        last = max(ids.values(), default=0)
        for participant in document["participants"]:
            name = f"{participant.get('actorType')}/{participant.get('actorId')}"
            if not await _joins(conn, participant):
                result.skipped.append(name)
                continue
            row = {column: participant.get(key) for key, column in _ATTENDEE_FIELDS.items()}
            row["display_name"] = row["display_name"] or ""
            row["permissions"] = row["permissions"] or 0
            # The history was there before they joined here: read, like a new attendee's marker.
            await attendee_store.insert_attendee(conn, room_id=room_id, last_read_message=last, **row)
            result.participants.append(name)
    except (KeyError, TypeError, ValueError) as error:
        raise BadRequest("document", f"Not a conversation export: {error!r}") from None
    return result
