"""Sharing a file into a conversation (Nextcloud share type 10, Talk's RoomShareProvider) and who
may fetch a shared file: participants now, guests of public conversations through the token."""

from __future__ import annotations

import json
import secrets
import string
import time
from dataclasses import dataclass
from typing import Any

from causerie.services.errors import Forbidden, NotFound
from causerie.services.files import names, tree
from causerie.services.files.tree import Entry
from causerie.services.rooms.participants import Participant
from causerie.services.rooms.rooms import PUBLIC, Room
from causerie.storage.db import Conn
from causerie.storage.files import shares as store

SHARE_TYPE_ROOM = 10
TOKEN_LENGTH = 15
_TOKEN_CHARS = string.ascii_letters + string.digits
VOICE_TYPES = ("audio/mpeg", "audio/wav")
CAPTION_MAX = 32000
ConversationNotFound = "Conversation not found"


def new_token() -> str:
    return "".join(secrets.choice(_TOKEN_CHARS) for _ in range(TOKEN_LENGTH))


@dataclass(frozen=True)
class Created:
    share: Any  # the share row (storage.files.shares), with its file and room
    entry: Entry  # the file as the sharer sees it
    duplicate: bool  # already shared into the room: a message is posted all the same (403)


def require_can_share(room: Room, participant: Participant) -> None:
    """Talk's RoomShareProvider::create: a participant allowed to chat in a room that is not
    read-only (and, in Causerie, never federated); 404 "Conversation not found" otherwise."""
    if not participant.can_chat or room.type == 4 or not participant.is_user:
        raise NotFound(message=ConversationNotFound, data=[])


async def create(conn: Conn, room: Room, participant: Participant, uid: str, folder: str, path: str) -> Created:
    require_can_share(room, participant)
    try:
        segments = names.split_path(path)
    except Exception:
        raise NotFound(message="Wrong path, file/folder does not exist", data=[]) from None
    entry = await tree.resolve(conn, uid, folder, "/".join(segments)) if segments else None
    if entry is None:
        raise NotFound(message="Wrong path, file/folder does not exist", data=[])
    if entry.is_dir:
        raise Forbidden(message="Folders cannot be shared into conversations", data=[])
    existing = await store.find(conn, entry.id, room.id)
    if existing is not None:
        return Created(existing, entry, True)
    share_id = await store.insert(
        conn, file_id=entry.id, room_id=room.id, owner=uid, token=new_token(), now=int(time.time())
    )
    row = await store.by_id(conn, share_id)
    assert row is not None
    return Created(row, entry, False)


def _as_int(value: Any) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return 0


def meta_data(raw: Any, mimetype: str) -> dict[str, Any]:
    """Talk's ``fixMimeTypeOfVoiceMessage``: voice only for MP3/WAV, the caption trimmed, silent as
    a boolean, ``replyTo`` as a number (``"0"``, ``"null"``: none); unknown keys kept, threads
    (not built here) dropped."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except ValueError:
            raw = {}
    meta: dict[str, Any] = dict(raw) if isinstance(raw, dict) else {}
    if meta.get("messageType") == "voice-message" and mimetype not in VOICE_TYPES:
        meta.pop("messageType")
    if meta.get("messageType") not in ("voice-message", "record-audio", "record-video"):
        meta.pop("messageType", None)
    meta["mimeType"] = mimetype
    caption = meta.pop("caption", None)
    if isinstance(caption, str) and caption.strip():
        meta["caption"] = caption.strip()[:CAPTION_MAX]
    if "silent" in meta:
        meta["silent"] = meta["silent"] in (True, 1, "1", "true", "True")
    meta["replyTo"] = _as_int(meta.get("replyTo"))
    for key in ("threadId", "threadTitle", "replyToToken"):
        meta.pop(key, None)
    return meta


def format_share(created: Created, sharer_name: str, base_url: str) -> dict[str, Any]:
    """Nextcloud's share object (ShareAPIController::formatShare, with Talk's room fields)."""
    row, entry = created.share, created.entry
    return {
        "id": str(row.id),
        "share_type": SHARE_TYPE_ROOM,
        "uid_owner": row.owner,
        "displayname_owner": sharer_name,
        "permissions": tree.RECIPIENT,
        "can_edit": True,
        "can_delete": True,
        "stime": int(row.created_at),
        "parent": None,
        "expiration": None,
        "token": row.token if row.room_type == PUBLIC else None,
        "uid_file_owner": row.node_owner,
        "note": "",
        "label": "",
        "displayname_file_owner": sharer_name if row.node_owner == row.owner else row.node_owner,
        "path": "/" + entry.path,
        "item_type": "file",
        "item_permissions": entry.permissions,
        "mimetype": entry.mimetype,
        "has_preview": entry.preview_state == 1,
        "storage_id": f"home::{row.node_owner}",
        "storage": 1,
        "item_source": entry.id,
        "file_source": entry.id,
        "file_parent": 0,
        "file_target": "/" + entry.name,
        "item_size": entry.size,
        "item_mtime": entry.mtime,
        "share_with": row.room_token,
        "share_with_displayname": row.room_name,
        "share_with_link": f"{base_url.rstrip('/')}/call/{row.room_token}",
        "mail_send": 0,
        "hide_download": 0,
        "attributes": None,
    }


# --- who may fetch a shared file ------------------------------------------------------------------


async def public(conn: Conn, token: str) -> Any:
    """The share behind a public link, in a public conversation; 404 otherwise (Talk's
    getShareByToken). The caller checks that the requester takes part in the conversation."""
    if not token or len(token) > 32 or "\x00" in token:  # no token holds a NUL; PostgreSQL refuses one
        raise NotFound(message="Share not found")
    row = await store.by_token(conn, token)
    if row is None or row.room_type != PUBLIC:
        raise NotFound(message="Share not found")
    return row


def public_entry(row: Any) -> Entry:
    return tree.from_share(row, row.node_name)
