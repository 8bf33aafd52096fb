"""Talk's shared items: ``GET /chat/{token}/share`` (one kind, paged) and ``/share/overview``."""

from __future__ import annotations

from typing import Any

from causerie.api.rooms import access as room_access
from causerie.http.endpoint import Api, Auth, Ctx, Reply
from causerie.services.chat import files as chat_files
from causerie.services.chat import messages as chat
from causerie.services.chat import shared_items
from causerie.services.errors import BadRequest
from causerie.services.files import tree
from causerie.services.rooms.actors import USERS

api = Api()
BASE = "/apps/spreed/api/v1/chat/{token}/share"


async def _items(ctx: Ctx, token: str, kinds: list[str], before: int, limit: int) -> tuple[dict[str, Any], int]:
    db = ctx.runtime.db
    async with db.read() as conn:
        room, participant = await room_access.load(ctx, conn, token)
        chat.require_no_lobby(room, participant)
    if participant.actor.type == USERS:
        await tree.prepare(db, participant.actor.id)
    found: dict[str, Any] = {}
    smallest = 0
    async with db.read() as conn:
        for kind in kinds:
            found[kind], least = await shared_items.items(
                conn, room, participant.actor, kind, before, limit, ctx.base_url
            )
            smallest = min(smallest or least, least) if least else smallest
    return found, smallest


@api.get(BASE, auth=Auth.PUBLIC)
async def list_shared_items(ctx: Ctx) -> Reply:
    kind = ctx.params.string("objectType")
    if kind not in chat_files.OBJECT_TYPES:
        raise BadRequest(data=[])
    limit = min(max(ctx.params.integer("limit", 100), 1), 200)
    before = chat.clamp_id(ctx.params.integer("lastKnownMessageId"))
    found, smallest = await _items(ctx, ctx.params.string("token"), [kind], before, limit)
    items = found[kind]
    headers = {"X-Chat-Last-Given": str(smallest)} if items else {}
    return Reply(items or [], headers=headers)


@api.get(BASE + "/overview", auth=Auth.PUBLIC)
async def overview(ctx: Ctx) -> dict[str, Any]:
    limit = min(max(ctx.params.integer("limit", 7), 1), 20)
    found, _ = await _items(ctx, ctx.params.string("token"), list(chat_files.OBJECT_TYPES), 0, limit)
    return {kind: list(found[kind].values()) for kind in chat_files.OBJECT_TYPES}
