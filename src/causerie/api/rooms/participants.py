"""Talk's participant API v4: list, add and remove attendees; join and leave a room session."""

from __future__ import annotations

import time
from typing import Any

from causerie.api.rooms import access as room_access
from causerie.http.endpoint import Api, Auth, Ctx, Reply, attempt_metadata
from causerie.services import clock
from causerie.services.config.appconfig import AppConfig
from causerie.services.config.talk_config import APP
from causerie.services.errors import BadRequest
from causerie.services.room_format import format_participant, format_room
from causerie.services.rooms import actors, attendees, joining, participants
from causerie.services.rooms import settings as room_settings
from causerie.services.rooms.participants import require_moderator
from causerie.services.rooms.rooms import ROOM_PASSWORD_ACTION, ROOM_TOKEN_ACTION
from causerie.services.rooms.system_messages import room_key
from causerie.services.status import statuses as user_statuses

api = Api()
BASE = "/apps/spreed/api/v4/room/{token}"
# Talk's Config::USER_STATUS_INTEGRATION_LIMIT: larger lists come without statuses.
STATUS_LIST_LIMIT = 100


@api.get(f"{BASE}/participants", auth=Auth.PUBLIC)
async def list_participants(ctx: Ctx) -> Any:
    token = ctx.params.string("token")
    async with ctx.runtime.db.read() as conn:
        room, _ = await room_access.load(ctx, conn, token)
        listed = await participants.list_participants(conn, room)
        admin_default = participants.admin_default_permissions(await AppConfig.load(conn, APP))
        statuses = None
        headers = {}
        if ctx.user is not None and ctx.params.boolean("includeStatus") and len(listed) < STATUS_LIST_LIMIT:
            uids = [entry.attendee.actor_id for entry in listed if entry.attendee.actor_type == actors.USERS]
            statuses = await user_statuses.of_users(conn, uids, int(clock.now()))
            # PHP's header for ``true``.
            headers["X-Nextcloud-Has-User-Statuses"] = "1"
    return Reply([format_participant(room, entry, admin_default, statuses) for entry in listed], headers=headers)


@api.post(f"{BASE}/participants")
async def add_participant(ctx: Ctx) -> Any:
    token = ctx.params.string("token")
    new_participant = ctx.params.string("newParticipant")
    source = ctx.params.string("source", "users")
    async with ctx.runtime.db.write() as conn:
        room, me = await room_access.load(ctx, conn, token)
        await attendees.invite(conn, room, me, source, new_participant, now=int(time.time()))
    await ctx.runtime.publish(room_key(token))
    return []


@api.delete(f"{BASE}/attendees")
async def remove_attendee(ctx: Ctx) -> Any:
    token = ctx.params.string("token")
    attendee_id = ctx.params.integer("attendeeId")
    async with ctx.runtime.db.write() as conn:
        room, me = await room_access.load(ctx, conn, token)
        await attendees.remove_attendee(conn, room, me, attendee_id)
    await ctx.runtime.publish(room_key(token))
    return None


@api.post(
    f"{BASE}/participants/active",
    auth=Auth.PUBLIC,
    throttle=[ROOM_PASSWORD_ACTION, ROOM_TOKEN_ACTION],
    exempt=room_access.already_in,
)
async def join_room(ctx: Ctx) -> Reply:
    token = ctx.params.string("token")
    joined = await joining.join(
        ctx.runtime.db,
        room_access.requester(ctx),
        token,
        password=ctx.params.string("password"),
        force=ctx.params.boolean("force", True),
    )
    session_id = joined.participant.session_id
    assert session_id is not None
    await room_access.remember_session(ctx, token, session_id)
    # A successful join forgets the wrong guesses of this conversation's password and token from
    # this address, as in Talk; those against other conversations stay counted.
    for action in (ROOM_PASSWORD_ACTION, ROOM_TOKEN_ACTION):
        await ctx.runtime.throttler.reset(ctx.ip, action, attempt_metadata(ctx, action))
    async with ctx.runtime.db.read() as conn:
        viewer = await room_access.viewer(ctx, conn)
        data = await format_room(conn, joined.room, joined.participant, viewer)
    await ctx.runtime.publish(room_key(token))
    return Reply(data)


@api.delete(f"{BASE}/participants/active", auth=Auth.PUBLIC)
async def leave_room(ctx: Ctx) -> Any:
    token = ctx.params.string("token")
    changed = await joining.leave(ctx.runtime.db, room_access.requester(ctx), token)
    room_access.forget_session(ctx, token)
    if changed:
        await ctx.runtime.publish(room_key(token))
    return None


@api.delete(f"{BASE}/participants/self")
async def leave_conversation(ctx: Ctx) -> Any:
    """Leave for good (not just the session); the last moderator must hand over first."""
    token = ctx.params.string("token")
    async with ctx.runtime.db.write() as conn:
        room, me = await room_access.load(ctx, conn, token)
        await attendees.remove_self(conn, room, me)
    room_access.forget_session(ctx, token)
    await ctx.runtime.publish(room_key(token))
    return None


async def _moderators(ctx: Ctx, *, promote: bool) -> Any:
    token = ctx.params.string("token")
    attendee_id = ctx.params.integer("attendeeId")
    async with ctx.runtime.db.write() as conn:
        room, me = await room_access.load(ctx, conn, token)
        require_moderator(me)
        await room_settings.change_moderator(conn, room, me, attendee_id, promote=promote, now=int(time.time()))
    await ctx.runtime.publish(room_key(token))
    return None


@api.post(f"{BASE}/moderators", auth=Auth.PUBLIC)
async def promote_moderator(ctx: Ctx) -> Any:
    return await _moderators(ctx, promote=True)


@api.delete(f"{BASE}/moderators", auth=Auth.PUBLIC)
async def demote_moderator(ctx: Ctx) -> Any:
    return await _moderators(ctx, promote=False)


@api.put(f"{BASE}/attendees/permissions", auth=Auth.PUBLIC)
async def set_attendee_permissions(ctx: Ctx) -> Any:
    token = ctx.params.string("token")
    async with ctx.runtime.db.write() as conn:
        room, me = await room_access.load(ctx, conn, token)
        require_moderator(me)
        updated = await room_settings.set_attendee_permissions(
            conn,
            room,
            ctx.params.integer("attendeeId"),
            ctx.params.string("method", "set"),
            ctx.params.integer("permissions"),
            int(time.time()),
        )
        listed = [
            entry
            for entry in await participants.list_participants(conn, room)
            if entry.attendee.id == updated.attendee_id
        ]
    await ctx.runtime.publish(room_key(token))
    return [format_participant(room, entry, updated.admin_default_permissions) for entry in listed]


@api.put(f"{BASE}/attendees/permissions/all", auth=Auth.PUBLIC)
async def set_all_attendees_permissions(ctx: Ctx) -> Any:
    """Deprecated in Talk and a no-op there: always 400."""
    async with ctx.runtime.db.read() as conn:
        _, me = await room_access.load(ctx, conn, ctx.params.string("token"))
        require_moderator(me)
    raise BadRequest(data=None)
