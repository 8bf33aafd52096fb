"""Talk's guest API v1: a guest's display name in a conversation."""

from __future__ import annotations

from causerie.api.rooms import access as room_access
from causerie.http.endpoint import Api, Auth, Ctx
from causerie.services.errors import Forbidden
from causerie.services.rooms import attendees
from causerie.services.rooms.system_messages import room_key

api = Api()


@api.post("/apps/spreed/api/v1/guest/{token}/name", auth=Auth.PUBLIC)
async def set_display_name(ctx: Ctx) -> None:
    token = ctx.params.string("token")
    name = attendees.clean_guest_name(ctx.params.string("displayName"))
    async with ctx.runtime.db.write() as conn:
        _, participant = await room_access.load(ctx, conn, token)
        if not participant.is_guest:
            raise Forbidden(data=None)
        await attendees.set_guest_name(conn, participant, name)
    await ctx.runtime.publish(room_key(token))
    return None
