"""Files in the chat: the ``file_shared`` message a share posts and how each viewer sees it.

Stored as Talk stores it: verb ``object_shared``, parameters ``{"share": id, "metaData": {…}}``.
Rendered per viewer (files.md §3): the text is the caption or ``{file}``, the ``file`` rich object
carries the viewer's path (the sharer's own path, a recipient's name in its attachment folder, the
bare name for guests and for "inaccurate" contexts such as parents and the room's last message),
and a share that is gone becomes "… shared a file which is no longer available".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from causerie.services.files import names
from causerie.services.files.tree import OWNER_FILE, RECIPIENT
from causerie.services.rooms.actors import GUESTS, USERS, Actor
from causerie.services.rooms.participants import Participant
from causerie.services.rooms.rooms import PUBLIC, Room
from causerie.storage.chat import attachments
from causerie.storage.chat import markers as chat_markers
from causerie.storage.chat import messages as store
from causerie.storage.db import Conn
from causerie.storage.files import shares as share_store

OBJECT_SHARED = "object_shared"
FILE_SHARED = "file_shared"
PREVIEW_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp")
OBJECT_TYPES = ("audio", "deckcard", "file", "location", "media", "other", "poll", "recording", "voice")


def attachment_type(meta: dict[str, Any], mimetype: str) -> str:
    """Talk's AttachmentService: the shared-items tab a file goes to (first match wins)."""
    message_type = meta.get("messageType")
    if message_type in ("record-audio", "record-video"):
        return "recording"
    if message_type == "voice-message":
        return "voice"
    if mimetype.startswith("audio/"):
        return "audio"
    if mimetype.startswith(("image/", "video/")):
        return "media"
    return "file"


def share_id_of(row: Any, parameters: dict[str, Any]) -> int | None:
    if row.message_type != OBJECT_SHARED:
        return None
    try:
        return int(parameters.get("share", 0)) or None
    except (TypeError, ValueError):
        return None


async def post(
    conn: Conn,
    room: Room,
    participant: Participant,
    share_id: int,
    mimetype: str,
    meta: dict[str, Any],
    reference_id: str,
    *,
    now: int | None = None,
) -> Any:
    """Store the ``file_shared`` message and its attachment row; the sender has read it."""
    now = int(time.time()) if now is None else now
    parent_id = None
    reply_to = int(meta.get("replyTo") or 0)
    if reply_to > 0:
        parent = await store.get(conn, room.id, reply_to)
        if parent is not None and parent.message_type in REPLYABLE and parent.actor_type in (USERS, GUESTS):
            parent_id = int(parent.id)
    stored_meta = {k: v for k, v in meta.items() if k != "replyTo"}
    row = await store.insert(
        conn,
        room_id=room.id,
        actor=participant.actor,
        message_type=OBJECT_SHARED,
        system_message=FILE_SHARED,
        message=FILE_SHARED,
        parameters={"share": str(share_id), "metaData": stored_meta},
        now=now,
        parent_id=parent_id,
        reference_id=reference_id.strip()[:64],
        silent=bool(meta.get("silent")),
        expire_at=now + room.message_expiration if room.message_expiration > 0 else None,
    )
    await attachments.add(conn, int(row.id), room.id, attachment_type(meta, mimetype), now)
    await chat_markers.set_last_read(conn, participant.attendee_id, int(row.id))
    return row


REPLYABLE = ("comment", "voice-message", "record-audio", "record-video", OBJECT_SHARED)


@dataclass
class FileView:
    """What one viewer needs to see file messages: its names for shares, the server's address."""

    base_url: str = ""
    viewer: Actor | None = None
    targets: dict[int, str] = field(default_factory=dict)
    folder: str = "Talk"


async def view_for(conn: Conn, viewer: Actor | None, share_ids: list[int], base_url: str, folder: str) -> FileView:
    targets: dict[int, str] = {}
    if viewer is not None and viewer.type == USERS and share_ids:
        targets = await share_store.targets_of(conn, viewer.id, share_ids)
    return FileView(base_url.rstrip("/"), viewer, targets, folder)


def _file_param(share: Any, view: FileView, exact: bool) -> dict[str, Any] | None:
    viewer = view.viewer
    is_user = viewer is not None and viewer.type == USERS
    if not is_user and share.room_type != PUBLIC:
        return None  # guests get files only in public conversations (getShareByToken)
    name = share.node_name
    if not exact or not is_user:
        path = name
    elif viewer is not None and share.node_owner == viewer.id:
        path = share.node_path
    else:
        target = view.targets.get(int(share.id))
        path = names.join(view.folder, target) if target else names.join(view.folder, name)
        name = target or name
    link = f"{view.base_url}/index.php/" + (f"f/{share.file_id}" if is_user else f"s/{share.token}")
    own = is_user and viewer is not None and share.node_owner == viewer.id
    preview = share.node_preview_state == 1 or (
        share.node_preview_state == 0 and share.node_mimetype in PREVIEW_TYPES and int(share.node_size) > 0
    )
    param: dict[str, Any] = {
        "type": "file",
        "id": str(share.file_id),
        "name": name,
        "size": str(share.node_size),
        "path": path,
        "link": link,
        "etag": share.node_etag,
        "permissions": str(OWNER_FILE if own else RECIPIENT),
        "mimetype": share.node_mimetype,
        "preview-available": "yes" if preview else "no",
        "hide-download": "no",
        "mtime": str(share.node_mtime),
    }
    if share.node_preview_state == 1 and share.node_width and share.node_height:
        param["width"] = str(share.node_width)
        param["height"] = str(share.node_height)
        if share.node_blurhash:
            param["blurhash"] = share.node_blurhash
    return param


def render(
    row: Any, parameters: dict[str, Any], actor: dict[str, Any], share: Any, view: FileView, *, exact: bool
) -> tuple[str, dict[str, Any], str]:
    """(message, messageParameters, messageType) of a ``file_shared`` message for the viewer."""
    meta = parameters.get("metaData") if isinstance(parameters.get("metaData"), dict) else {}
    assert isinstance(meta, dict)
    caption = meta.get("caption") if isinstance(meta.get("caption"), str) else ""
    file_param = None if share is None else _file_param(share, view, exact)
    if file_param is None:
        own = view.viewer is not None and (view.viewer.type, view.viewer.id) == (row.actor_type, row.actor_id)
        text = (
            "*You shared a file which is no longer available*"
            if own
            else ("*{actor} shared a file which is no longer available*")
        )
        if caption:
            text += "\n\n" + caption
        return text, {"actor": actor}, "comment"
    message_type = meta.get("messageType") if meta.get("messageType") in REPLYABLE[1:4] else "comment"
    return caption or "{file}", {"actor": actor, "file": file_param}, str(message_type)
