"""Talk's AvatarController: ``room/{token}/avatar`` (the picture, not OCS although under /ocs),
uploads, emoji pictures and removal (the ``avatar`` feature)."""

from __future__ import annotations

import time
from typing import Any

from starlette.responses import Response

from causerie.api.rooms import access as room_access
from causerie.http import multipart
from causerie.http.endpoint import Api, Auth, Ctx
from causerie.services import room_format
from causerie.services.avatars import images
from causerie.services.avatars import rooms as room_avatars
from causerie.services.errors import NotFound
from causerie.services.rooms import participants
from causerie.services.rooms.system_messages import room_key

api = Api()
BASE = "/apps/spreed/api/v1/room/{token}/avatar"
# Talk caches conversation pictures for a day; clients add ``avatarVersion`` to the URL.
CACHE = "private, max-age=86400, immutable"


async def _picture(ctx: Ctx, dark: bool) -> Response:
    db = ctx.runtime.db
    async with db.read() as conn:
        room, participant, _ = await participants.load_with_account(
            conn, room_access.requester(ctx), ctx.params.string("token")
        )
    # Participants, and users for conversations listed to them (Talk's
    # RequireParticipantOrLoggedInAndListedConversation).
    listed = ctx.user is not None and room.listable != 0 and participant is None
    if participant is None and not listed:
        raise NotFound(data=[])
    served = await room_avatars.picture(db, room, ctx.user.uid if ctx.user else None, dark)
    return Response(
        served.data,
        media_type=served.mime,
        headers={"Cache-Control": CACHE, "X-NC-IsCustomAvatar": "1" if served.custom else "0"},
    )


@api.get(BASE, auth=Auth.PUBLIC)
async def get_avatar(ctx: Ctx) -> Response:
    return await _picture(ctx, dark=False)


@api.get(BASE + "/dark", auth=Auth.PUBLIC)
async def get_avatar_dark(ctx: Ctx) -> Response:
    return await _picture(ctx, dark=True)


async def _changed(ctx: Ctx, token: str) -> dict[str, Any]:
    async with ctx.runtime.db.read() as conn:
        room, participant = await room_access.load(ctx, conn, token)
        found = await room_format.format_room(conn, room, participant, await room_access.viewer(ctx, conn))
    await ctx.runtime.publish(room_key(room.token))
    return found


@api.post(BASE, auth=Auth.PUBLIC, max_body=images.MAX_UPLOAD_BYTES + 64 * 1024)
async def upload_avatar(ctx: Ctx) -> dict[str, Any]:
    token = ctx.params.string("token")
    async with ctx.runtime.db.read() as conn:
        room, participant = await room_access.load(ctx, conn, token)
        participants.require_moderator(participant)
    body = await ctx.request.body()
    part = multipart.first_file(multipart.parse(ctx.request.headers.get("content-type", ""), body), "file", "file[]")
    upload = await room_avatars.check_upload(None if part is None else part.data)
    async with ctx.runtime.db.write() as conn:
        room, participant = await room_access.load(ctx, conn, token)
        await room_avatars.set_upload(conn, room, participant, upload, int(time.time()))
    return await _changed(ctx, token)


@api.post(BASE + "/emoji", auth=Auth.PUBLIC)
async def emoji_avatar(ctx: Ctx) -> dict[str, Any]:
    token = ctx.params.string("token")
    emoji, colour = ctx.params.string("emoji"), ctx.params.opt_string("color")
    async with ctx.runtime.db.write() as conn:
        room, participant = await room_access.load(ctx, conn, token)
        await room_avatars.set_emoji(conn, room, participant, emoji, colour, int(time.time()))
    return await _changed(ctx, token)


@api.delete(BASE, auth=Auth.PUBLIC)
async def delete_avatar(ctx: Ctx) -> dict[str, Any]:
    token = ctx.params.string("token")
    async with ctx.runtime.db.write() as conn:
        room, participant = await room_access.load(ctx, conn, token)
        await room_avatars.remove(conn, room, participant, int(time.time()))
    return await _changed(ctx, token)
