"""Talk's ``GET chat/{token}/{messageId}/context``: the messages around one, which the web app and
Desktop load on every conversation they open (``chat-get-context``)."""

from __future__ import annotations

from causerie.api.chat.messages import LAST_COMMON_READ, LAST_GIVEN
from causerie.api.rooms import access as room_access
from causerie.http.endpoint import Api, Auth, Ctx, Reply
from causerie.services.chat import format as chat_format
from causerie.services.chat import history
from causerie.services.chat import messages as chat
from causerie.services.files import tree
from causerie.services.jobs import queue as jobs
from causerie.services.notifications import dismissal
from causerie.services.rooms.actors import USERS

api = Api()


@api.get("/apps/spreed/api/v1/chat/{token}/{messageId:int}/context", auth=Auth.PUBLIC)
async def context(ctx: Ctx) -> Reply:
    params = ctx.params
    token = params.string("token")
    message_id = chat.clamp_id(params.integer("messageId"))
    limit = history.clamp_context_limit(params.integer("limit", history.CONTEXT_LIMIT_DEFAULT))
    db = ctx.runtime.db
    async with db.read() as conn:
        room, participant = await room_access.load(ctx, conn, token)
        chat.require_no_lobby(room, participant)
        # Talk reads the part after the message as a long-poll that marks the caller's chat
        # notifications of the conversation read.
        viewed = limit > 0 and await dismissal.has_chat_notifications(conn, room, participant)
    if viewed:
        async with db.write() as conn:
            pushed = await dismissal.chat_viewed(conn, room, participant)
        if pushed:
            await jobs.wake(ctx.runtime.broker)
    page = None if message_id == 0 else await history.read_context(db, room, message_id, limit)
    if page is None:
        return Reply(None, status=304)
    headers = {LAST_GIVEN: str(page.last_given)}
    if participant.attendee.read_privacy == 0:
        headers[LAST_COMMON_READ] = str(page.common_read)
    if page.prepared.shares and participant.actor.type == USERS:
        await tree.prepare(db, participant.actor.id)
    async with db.read() as conn:
        own = await chat_format.own_reactions(conn, page.prepared, participant.actor)
        files = await chat_format.file_view(conn, page.prepared, participant.actor, ctx.base_url)
    return Reply(chat_format.present(page.prepared, participant.actor, own, files), headers=headers)
