"""Talk's shared items: the file messages of a conversation by kind, as one viewer sees them."""

from __future__ import annotations

from typing import Any

from causerie.services.chat import format as chat_format
from causerie.services.rooms.actors import Actor
from causerie.services.rooms.rooms import Room
from causerie.storage.chat import attachments
from causerie.storage.db import Conn


async def items(
    conn: Conn, room: Room, viewer: Actor, kind: str, before: int, limit: int, base_url: str
) -> tuple[dict[int, Any], int]:
    """Messages of one kind, newest first, keyed by id, and the smallest id read (0: none).
    Messages whose file is gone are left out (Talk's filterCommentsWithNonExistingFiles)."""
    rows = await attachments.messages_of(conn, room.id, kind, before, limit)
    prepared = await chat_format.prepare(conn, chat_format.RoomRef.of(room), rows, with_parents=False, reactions=False)
    view = await chat_format.file_view(conn, prepared, viewer, base_url)
    shown = chat_format.present(prepared, viewer, {}, view)
    kept = {m["id"]: m for m in shown if isinstance(m["messageParameters"], dict) and "file" in m["messageParameters"]}
    return kept, int(rows[-1].id) if rows else 0
