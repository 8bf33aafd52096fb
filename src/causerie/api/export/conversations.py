"""``GET /apps/causerie/api/v1/room/{token}/export/{kind}`` (``json``, ``markdown``, ``html``):
the conversation's history for a participant to save. The answer is an OCS envelope holding the
file (``filename``, ``mimetype``, ``content``: the JSON document, or the text); a path segment
names the kind, since OCS reads ``format`` as the envelope's own encoding."""

from __future__ import annotations

from typing import Any

from causerie.api.rooms import access as room_access
from causerie.http.endpoint import Api, Auth, Ctx
from causerie.services.chat import messages as chat
from causerie.services.export import exports
from causerie.services.rooms.rooms import ROOM_TOKEN_ACTION

api = Api()


@api.get(
    "/apps/causerie/api/v1/room/{token}/export/{kind}",
    auth=Auth.PUBLIC,
    throttle=[ROOM_TOKEN_ACTION],
    exempt=room_access.already_in,
)
async def export(ctx: Ctx) -> dict[str, Any]:
    async with ctx.runtime.db.read() as conn:
        room, participant = await room_access.load(ctx, conn, ctx.params.string("token"))
        chat.require_no_lobby(room, participant)
        found = await exports.export(conn, room, ctx.params.string("kind"), ctx.base_url)
    return {"filename": found.filename, "mimetype": found.mimetype, "content": found.content}
