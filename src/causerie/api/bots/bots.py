"""Talk's BotController: ``/apps/spreed/api/v1/bot/{token}…``.

Moderators list the installed bots and enable or disable them in their conversation; bots post
messages and reactions, authenticated by their signature (``services/bots/replies.py``).
"""

from __future__ import annotations

from typing import Any

from causerie.api.rooms import access as room_access
from causerie.http.endpoint import Api, Auth, Ctx, Reply
from causerie.services.accounts import users
from causerie.services.bots import bots, replies
from causerie.services.bots.model import STATE_DISABLED, STATE_ENABLED
from causerie.services.chat import messages as chat
from causerie.services.errors import Forbidden
from causerie.services.jobs import queue as jobs
from causerie.services.rooms.participants import require_moderator
from causerie.services.rooms.system_messages import room_key

api = Api()
BASE = "/apps/spreed/api/v1/bot"
RANDOM_HEADER = "x-nextcloud-talk-bot-random"
SIGNATURE_HEADER = "x-nextcloud-talk-bot-signature"


def _headers(ctx: Ctx) -> tuple[str, str]:
    headers = ctx.request.headers
    return headers.get(RANDOM_HEADER, ""), headers.get(SIGNATURE_HEADER, "")


@api.post(BASE + "/{token}/message", auth=Auth.NONE, throttle=[replies.THROTTLE_ACTION])
async def send_message(ctx: Ctx) -> Reply:
    params = ctx.params
    message = params.string("message")
    random, given = _headers(ctx)
    async with ctx.runtime.db.write() as conn:
        room, bot = await replies.authenticate(conn, params.string("token"), random, given, message)
        sent = await replies.send_message(
            conn,
            room,
            bot,
            message=message,
            base_url=ctx.base_url,
            reply_to=chat.clamp_id(params.integer("replyTo")),
            reference_id=params.string("referenceId"),
            silent=params.boolean("silent"),
        )
    await ctx.runtime.publish(room_key(room.token))
    if sent.notifies:
        await jobs.wake(ctx.runtime.broker)
    return Reply(None, status=201)


async def _reaction(ctx: Ctx, *, add: bool) -> Reply:
    params = ctx.params
    reaction = params.string("reaction")
    random, given = _headers(ctx)
    message_id = chat.clamp_id(params.integer("messageId"))
    async with ctx.runtime.db.write() as conn:
        room, bot = await replies.authenticate(conn, params.string("token"), random, given, reaction)
        change = replies.react if add else replies.unreact
        done = await change(conn, room, bot, message_id, reaction)
    if done.changed:
        await ctx.runtime.publish(room_key(room.token))
    if done.told_bots:
        await jobs.wake(ctx.runtime.broker)
    return Reply(None, status=201 if add and done.changed else 200)


@api.post(BASE + "/{token}/reaction/{messageId:int}", auth=Auth.NONE, throttle=[replies.THROTTLE_ACTION])
async def react(ctx: Ctx) -> Reply:
    return await _reaction(ctx, add=True)


@api.delete(BASE + "/{token}/reaction/{messageId:int}", auth=Auth.NONE, throttle=[replies.THROTTLE_ACTION])
async def unreact(ctx: Ctx) -> Reply:
    return await _reaction(ctx, add=False)


@api.get(BASE + "/admin", auth=Auth.USER)
async def admin_list(ctx: Ctx) -> list[dict[str, Any]]:
    async with ctx.runtime.db.read() as conn:
        if not await users.is_admin(conn, ctx.require_user.uid):
            raise Forbidden(data=None)
        return [bot.admin() for bot in await bots.all_bots(conn)]


@api.get(BASE + "/{token}", auth=Auth.USER)
async def list_bots(ctx: Ctx) -> list[dict[str, Any]]:
    async with ctx.runtime.db.read() as conn:
        room, participant = await room_access.load(ctx, conn, ctx.params.string("token"))
        require_moderator(participant)
        return await bots.listing_for_room(conn, room)


@api.post(BASE + "/{token}/{botId:int}", auth=Auth.USER)
async def enable_bot(ctx: Ctx) -> Reply:
    async with ctx.runtime.db.write() as conn:
        room, participant = await room_access.load(ctx, conn, ctx.params.string("token"))
        require_moderator(participant)
        bot = await bots.bot_for_moderator(conn, room, ctx.params.integer("botId"))
        added = await bots.enable(conn, room, bot)
    if added:
        await jobs.wake(ctx.runtime.broker)
    return Reply(bot.public(STATE_ENABLED), status=201 if added else 200)


@api.delete(BASE + "/{token}/{botId:int}", auth=Auth.USER)
async def disable_bot(ctx: Ctx) -> Reply:
    async with ctx.runtime.db.write() as conn:
        room, participant = await room_access.load(ctx, conn, ctx.params.string("token"))
        require_moderator(participant)
        bot = await bots.bot_for_moderator(conn, room, ctx.params.integer("botId"))
        removed = await bots.disable(conn, room, bot)
    if removed:
        await jobs.wake(ctx.runtime.broker)
    return Reply(bot.public(STATE_DISABLED))
