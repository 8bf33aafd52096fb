"""``POST /room/{token}/external-call``: the iframe URL of an external_call conversation."""

from __future__ import annotations

from typing import Any

from causerie.api.rooms import access as room_access
from causerie.http.endpoint import Api, Auth, Ctx
from causerie.services.calls import external_call

api = Api()


@api.post("/apps/spreed/api/v4/room/{token}/external-call", auth=Auth.PUBLIC)
async def get_external_call_url(ctx: Ctx) -> dict[str, Any]:
    token = ctx.params.string("token")
    async with ctx.runtime.db.read() as conn:
        room, participant = await room_access.load(ctx, conn, token)
    runtime = ctx.runtime
    return {"url": await external_call.iframe_url_for(runtime.db, runtime.http, runtime.broker, room, participant)}
