"""Talk's ReactionController: ``/apps/spreed/api/v1/reaction/{token}/{messageId}``."""

from __future__ import annotations

from typing import Any

from causerie.api.rooms import access as room_access
from causerie.http.endpoint import Api, Auth, Ctx, Reply
from causerie.services.chat import messages as chat
from causerie.services.chat import reactions
from causerie.services.jobs import queue as jobs
from causerie.services.rooms.system_messages import room_key

api = Api()
PATH = "/apps/spreed/api/v1/reaction/{token}/{messageId:int}"


def _empty_as_php(found: dict[str, Any]) -> Any:
    # No reactions is PHP's empty array: [] on the wire.
    return found or []


@api.post(PATH, auth=Auth.PUBLIC)
async def react(ctx: Ctx) -> Reply:
    token, message_id = ctx.params.string("token"), chat.clamp_id(ctx.params.integer("messageId"))
    async with ctx.runtime.db.write() as conn:
        room, participant = await room_access.load(ctx, conn, token)
        added = await reactions.add(conn, room, participant, message_id, ctx.params.string("reaction"))
        found = await reactions.listing(conn, room, message_id)
    if added.changed:
        await ctx.runtime.publish(room_key(room.token))
    if added.told_bots:
        await jobs.wake(ctx.runtime.broker)
    return Reply(_empty_as_php(found), status=201 if added.changed else 200)


@api.delete(PATH, auth=Auth.PUBLIC)
async def unreact(ctx: Ctx) -> Reply:
    token, message_id = ctx.params.string("token"), chat.clamp_id(ctx.params.integer("messageId"))
    async with ctx.runtime.db.write() as conn:
        room, participant = await room_access.load(ctx, conn, token)
        removed = await reactions.remove(conn, room, participant, message_id, ctx.params.string("reaction"))
        found = await reactions.listing(conn, room, message_id)
    await ctx.runtime.publish(room_key(room.token))
    if removed.told_bots:
        await jobs.wake(ctx.runtime.broker)
    return Reply(_empty_as_php(found))


@api.get(PATH, auth=Auth.PUBLIC)
async def list_reactions(ctx: Ctx) -> Reply:
    token, message_id = ctx.params.string("token"), chat.clamp_id(ctx.params.integer("messageId"))
    async with ctx.runtime.db.read() as conn:
        room, participant = await room_access.load(ctx, conn, token)
        chat.require_no_lobby(room, participant)
        found = await reactions.listing(conn, room, message_id, ctx.params.opt_string("reaction") or None)
    return Reply(_empty_as_php(found))
