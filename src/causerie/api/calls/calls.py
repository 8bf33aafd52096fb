"""Talk's CallController (API v4): join, update, leave and list the call of a conversation."""

from __future__ import annotations

import time
from typing import Any

from causerie.api.rooms import access as room_access
from causerie.http.endpoint import Api, Auth, Ctx
from causerie.services.config.appconfig import AppConfig
from causerie.services.config.talk_config import APP
from causerie.services.jobs import queue as jobs
from causerie.services.notifications import dismissal
from causerie.services.rooms import calls
from causerie.services.rooms.system_messages import room_key

api = Api()

PATH = "/apps/spreed/api/v4/call/{token}"


@api.get(PATH, auth=Auth.PUBLIC)
async def get_peers(ctx: Ctx) -> list[dict[str, Any]]:
    async with ctx.runtime.db.read() as conn:
        room, participant = await room_access.load(ctx, conn, ctx.params.string("token"))
        config = await AppConfig.load(conn, APP)
        return await calls.peers(conn, room, participant, config, int(time.time()))


@api.post(PATH, auth=Auth.PUBLIC)
async def join_call(ctx: Ctx) -> None:
    token = ctx.params.string("token")
    async with ctx.runtime.db.write() as conn:
        room, participant = await room_access.load(ctx, conn, token)
        config = await AppConfig.load(conn, APP)
        started = await calls.join(
            conn,
            room,
            participant,
            config,
            flags=ctx.params.opt_integer("flags"),
            silent=ctx.params.boolean("silent"),
            now=int(time.time()),
        )
        # Whoever joins has answered: their call notification goes, as in Talk.
        pushed = await dismissal.call_joined(conn, room, participant)
    await ctx.runtime.publish(room_key(token))
    if started or pushed:
        await jobs.wake(ctx.runtime.broker)


@api.put(PATH, auth=Auth.PUBLIC)
async def update_call_flags(ctx: Ctx) -> None:
    token = ctx.params.string("token")
    async with ctx.runtime.db.write() as conn:
        room, participant = await room_access.load(ctx, conn, token)
        await calls.update_flags(conn, room, participant, flags=ctx.params.integer("flags"), now=int(time.time()))
    await ctx.runtime.publish(room_key(token))


@api.delete(PATH, auth=Auth.PUBLIC)
async def leave_call(ctx: Ctx) -> None:
    token = ctx.params.string("token")
    async with ctx.runtime.db.write() as conn:
        room, participant = await room_access.load(ctx, conn, token)
        await calls.leave(conn, room, participant, everyone=ctx.params.boolean("all"), now=int(time.time()))
    await ctx.runtime.publish(room_key(token))
