"""Talk's reminder endpoints of the ChatController: ``chat/{token}/{messageId}/reminder`` and
``chat/upcoming-reminders`` (features ``remind-me-later`` and ``upcoming-reminders``)."""

from __future__ import annotations

from typing import Any

from causerie.api.rooms import access as room_access
from causerie.http.endpoint import Api, Auth, Ctx, Reply
from causerie.services.chat import messages as chat
from causerie.services.errors import NotFound
from causerie.services.jobs import queue as jobs
from causerie.services.notifications import reminders
from causerie.services.rooms.participants import Participant
from causerie.services.rooms.rooms import Room
from causerie.storage.db import Conn

api = Api()
PATH = "/apps/spreed/api/v1/chat/{token}/{messageId:int}/reminder"


async def _load(ctx: Ctx, conn: Conn) -> tuple[Room, Participant, int]:
    """The room, a logged-in participant (guests have no reminders: 404) and the message id."""
    room, participant = await room_access.load(ctx, conn, ctx.params.string("token"))
    if not participant.is_user:
        raise NotFound(data=[])
    chat.require_no_lobby(room, participant)
    return room, participant, chat.clamp_id(ctx.params.integer("messageId"))


@api.post(PATH, auth=Auth.PUBLIC)
async def set_reminder(ctx: Ctx) -> Reply:
    timestamp = ctx.params.integer("timestamp")
    async with ctx.runtime.db.write() as conn:
        room, participant, message_id = await _load(ctx, conn)
        reminder = await reminders.set_reminder(conn, room, participant.actor.id, message_id, timestamp)
    await jobs.wake(ctx.runtime.broker)
    return Reply(reminder.as_json(), status=201)


@api.get(PATH, auth=Auth.PUBLIC)
async def get_reminder(ctx: Ctx) -> dict[str, Any]:
    async with ctx.runtime.db.read() as conn:
        room, participant, message_id = await _load(ctx, conn)
        return (await reminders.get_reminder(conn, room, participant.actor.id, message_id)).as_json()


@api.delete(PATH, auth=Auth.PUBLIC)
async def delete_reminder(ctx: Ctx) -> list[Any]:
    async with ctx.runtime.db.write() as conn:
        room, participant, message_id = await _load(ctx, conn)
        pushed = await reminders.delete_reminder(conn, room, participant.actor.id, message_id)
    if pushed:
        await jobs.wake(ctx.runtime.broker)
    return []


@api.get("/apps/spreed/api/v1/chat/upcoming-reminders", auth=Auth.PUBLIC)
async def upcoming(ctx: Ctx) -> list[dict[str, Any]]:
    user = ctx.user
    if user is None:
        return []
    async with ctx.runtime.db.read() as conn:
        await ctx.confirm_credentials(conn)
        return await reminders.upcoming(conn, user.uid)
