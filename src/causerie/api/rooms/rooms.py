"""Talk's conversation API v4 (RoomController): create, list, get and delete conversations."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from causerie.api.rooms import access as room_access
from causerie.http.endpoint import Api, Auth, Ctx, Reply
from causerie.http.params import ParamError, Params
from causerie.services import capabilities, clock
from causerie.services.calls import external_call
from causerie.services.config.appconfig import AppConfig
from causerie.services.config.talk_config import APP
from causerie.services.errors import Unauthorized
from causerie.services.room_format import Viewer, format_room, format_rooms, one_to_one_partner
from causerie.services.rooms import creation as room_creation
from causerie.services.rooms import rooms
from causerie.services.rooms import settings as room_settings
from causerie.services.rooms.creation import INVITATION_KINDS, NewRoom
from causerie.services.rooms.participants import (
    Participant,
    Requester,
    admin_default_permissions,
    find_participant,
    find_participants,
    load_viewer,
    require_moderator,
)
from causerie.services.rooms.rooms import ROOM_TOKEN_ACTION
from causerie.services.rooms.system_messages import room_key
from causerie.services.status import statuses as user_statuses
from causerie.storage.db import Conn

api = Api()
BASE = "/apps/spreed/api/v4"


def talk_hash_header(viewer: Viewer) -> dict[str, str]:
    return {"X-Nextcloud-Talk-Hash": capabilities.talk_hash(viewer.config, viewer.user)}


def _invitations(params: Params) -> dict[str, list[str]]:
    raw = params.mapping("participants")
    result: dict[str, list[str]] = {}
    for kind, values in raw.items():
        if kind not in INVITATION_KINDS:
            continue
        if isinstance(values, dict):
            values = list(values.values())
        if not isinstance(values, list) or not all(isinstance(v, str | int) for v in values):
            raise ParamError("participants", "Parameter participants must map kinds to lists of ids")
        result[kind] = [str(v) for v in values]
    return result


def new_room_request(params: Params) -> NewRoom:
    return NewRoom(
        room_type=params.integer("roomType", 2),
        room_name=params.string("roomName"),
        invite=params.string("invite"),
        source=params.string("source"),
        object_type=params.string("objectType"),
        object_id=params.string("objectId"),
        read_only=params.integer("readOnly"),
        listable=params.integer("listable"),
        message_expiration=params.integer("messageExpiration"),
        lobby_state=params.integer("lobbyState"),
        lobby_timer=params.opt_integer("lobbyTimer"),
        sip_enabled=params.integer("sipEnabled"),
        permissions=params.integer("permissions"),
        recording_consent=params.integer("recordingConsent"),
        mention_permissions=params.integer("mentionPermissions"),
        description=params.string("description"),
        emoji=params.opt_string("emoji"),
        avatar_color=params.opt_string("avatarColor"),
        participants=_invitations(params),
    )


@api.post(f"{BASE}/room", auth=Auth.PUBLIC, throttle=[external_call.SECRET_ACTION])
async def create_room(ctx: Ctx) -> Reply:
    request = new_room_request(ctx.params)
    service_secret = ctx.request.headers.get(external_call.SECRET_HEADER, "")
    if service_secret:
        # The external call service creates rooms for ``owner``, who need not be logged in.
        async with ctx.runtime.db.read() as conn:
            owner = ctx.params.string("owner").strip()
            user = await external_call.service_room_owner(conn, service_secret, owner, request.room_type)
        request.allow_internal_object_types = True
        requester = Requester(user)
    elif ctx.user is not None:
        user, requester = ctx.user, room_access.requester(ctx)
    else:
        raise Unauthorized("auth")
    # Only once the caller is known (hashing is slow on purpose).
    request.password_hash = await room_settings.hash_room_password(ctx.params.string("password"))
    async with ctx.runtime.db.write() as conn:
        created = await room_creation.create(conn, user, request)
        viewer = Viewer(user, await AppConfig.load(conn, APP))
        participant = await find_participant(conn, created.room, requester)
        data = await format_room(conn, created.room, participant, viewer)
    await ctx.runtime.publish(room_key(created.room.token))
    if created.invalid is not None:
        data["invalidParticipants"] = {k: v for k, v in created.invalid.items() if v}
        return Reply(data, status=202)
    return Reply(data, status=201 if created.is_new else 200)


@api.get(f"{BASE}/room")
async def list_rooms(ctx: Ctx) -> Reply:
    user = ctx.require_user
    modified_since = max(ctx.params.integer("modifiedSince"), 0)
    include_status = ctx.params.boolean("includeStatus")
    include_last_message = ctx.params.boolean("includeLastMessage", True)
    # Taken before the query, so that a client passing it back as modifiedSince misses nothing.
    modified_before = int(time.time())
    requester = room_access.requester(ctx)
    async with ctx.runtime.db.read() as conn:
        viewer = await room_access.viewer(ctx, conn)
        found = await rooms.of_user(conn, user.uid)
        statuses = None
        if include_status:
            # One query for the other users of every one-to-one room.
            partners = [uid for room in found if (uid := one_to_one_partner(room, viewer)) is not None]
            statuses = await user_statuses.of_users(conn, partners, int(clock.now()))
        if modified_since:
            found = [room for room in found if rooms.changed_since(room, modified_since, include_status)]
        admin_default = admin_default_permissions(viewer.config)
        participants = await find_participants(conn, found, user, requester, admin_default=admin_default)
        result = await format_rooms(
            conn, found, participants, viewer, include_last_message=include_last_message, statuses=statuses
        )
    headers = talk_hash_header(viewer)
    headers["X-Nextcloud-Talk-Modified-Before"] = str(modified_before)
    return Reply(result, headers=headers)


@api.get(f"{BASE}/room/note-to-self")
async def note_to_self(ctx: Ctx) -> Reply:
    user = ctx.require_user
    async with ctx.runtime.db.write() as conn:
        room = await room_creation.note_to_self(conn, user)
        viewer = await room_access.viewer(ctx, conn)
        participant = await find_participant(conn, room, room_access.requester(ctx))
        data = await format_room(conn, room, participant, viewer)
    return Reply(data, headers=talk_hash_header(viewer))


@api.get(f"{BASE}/room/{{token}}", auth=Auth.PUBLIC, throttle=[ROOM_TOKEN_ACTION], exempt=room_access.already_in)
async def get_room(ctx: Ctx) -> Reply:
    token = ctx.params.string("token")
    async with ctx.runtime.db.read() as conn:
        room, participant = await load_viewer(conn, room_access.requester(ctx), token)
        viewer = await room_access.viewer(ctx, conn)
        partner = one_to_one_partner(room, viewer) if participant is not None else None
        # Talk's RoomFormatter reads the other user's status for a one-to-one room it formats alone.
        statuses = None if partner is None else await user_statuses.of_users(conn, [partner], int(clock.now()))
        data = await format_room(conn, room, participant, viewer, statuses=statuses)
    return Reply(data, headers=talk_hash_header(viewer))


@api.delete(f"{BASE}/room/{{token}}")
async def delete_room(ctx: Ctx) -> Any:
    token = ctx.params.string("token")
    async with ctx.runtime.db.write() as conn:
        room, participant = await room_access.load(ctx, conn, token)
        await room_settings.delete(conn, room, participant)
    await ctx.runtime.publish(room_key(token))
    return []


# --- settings -----------------------------------------------------------------------------------

Change = Callable[[Conn, rooms.Room, Participant, int], Awaitable[None]]


async def _change_room(ctx: Ctx, change: Change, *, moderator: bool = True) -> Reply:
    """Load the room and the caller, apply ``change``, answer the updated room, wake listeners."""
    token = ctx.params.string("token")
    requester = room_access.requester(ctx)
    async with ctx.runtime.db.write() as conn:
        room, me = await room_access.load(ctx, conn, token)
        if moderator:
            require_moderator(me)
        await change(conn, room, me, int(time.time()))
        updated = await rooms.get_by_id(conn, room.id)
        assert updated is not None
        participant = await find_participant(conn, updated, requester)
        data = await format_room(conn, updated, participant, await room_access.viewer(ctx, conn))
    await ctx.runtime.publish(room_key(token))
    return Reply(data)


async def _moderator_first(ctx: Ctx) -> None:
    """The 404 and 403 ``_change_room`` would answer, before slow work done ahead of it (so that a
    stranger cannot make the server hash passwords)."""
    async with ctx.runtime.db.read() as conn:
        _, me = await room_access.load(ctx, conn, ctx.params.string("token"))
    require_moderator(me)


@api.put(f"{BASE}/room/{{token}}", auth=Auth.PUBLIC)
async def rename_room(ctx: Ctx) -> Reply:
    name = ctx.params.string("roomName")
    return await _change_room(ctx, lambda conn, room, me, now: room_settings.rename(conn, room, me.actor, name, now))


@api.put(f"{BASE}/room/{{token}}/description", auth=Auth.PUBLIC)
async def set_description(ctx: Ctx) -> Reply:
    text = ctx.params.string("description")
    return await _change_room(
        ctx, lambda conn, room, me, now: room_settings.set_description(conn, room, me.actor, text, now)
    )


@api.post(f"{BASE}/room/{{token}}/public")
async def make_public(ctx: Ctx) -> Reply:
    await _moderator_first(ctx)
    password_hash = await room_settings.hash_room_password(ctx.params.string("password"))
    return await _change_room(
        ctx, lambda conn, room, me, now: room_settings.make_public(conn, room, me.actor, password_hash, now)
    )


@api.delete(f"{BASE}/room/{{token}}/public")
async def make_private(ctx: Ctx) -> Reply:
    return await _change_room(ctx, lambda conn, room, me, now: room_settings.make_private(conn, room, me.actor, now))


@api.put(f"{BASE}/room/{{token}}/password", auth=Auth.PUBLIC)
async def set_password(ctx: Ctx) -> Reply:
    await _moderator_first(ctx)
    password_hash = await room_settings.hash_room_password(ctx.params.string("password"))
    return await _change_room(
        ctx, lambda conn, room, me, now: room_settings.set_password(conn, room, me.actor, password_hash, now)
    )


@api.put(f"{BASE}/room/{{token}}/read-only", auth=Auth.PUBLIC)
async def set_read_only(ctx: Ctx) -> Reply:
    state = ctx.params.integer("state")
    return await _change_room(
        ctx, lambda conn, room, me, now: room_settings.set_read_only(conn, room, me.actor, state, now)
    )


@api.put(f"{BASE}/room/{{token}}/listable", auth=Auth.PUBLIC)
async def set_listable(ctx: Ctx) -> Reply:
    scope = ctx.params.integer("scope")
    return await _change_room(
        ctx, lambda conn, room, me, now: room_settings.set_listable(conn, room, me.actor, scope, now)
    )


@api.put(f"{BASE}/room/{{token}}/mention-permissions", auth=Auth.PUBLIC)
async def set_mention_permissions(ctx: Ctx) -> Reply:
    value = ctx.params.integer("mentionPermissions")
    return await _change_room(
        ctx, lambda conn, room, me, now: room_settings.set_mention_permissions(conn, room, value, now)
    )


@api.post(f"{BASE}/room/{{token}}/message-expiration", auth=Auth.PUBLIC)
async def set_message_expiration(ctx: Ctx) -> Reply:
    seconds = ctx.params.integer("seconds")
    return await _change_room(
        ctx, lambda conn, room, me, now: room_settings.set_message_expiration(conn, room, me.actor, seconds, now)
    )


@api.put(f"{BASE}/room/{{token}}/webinar/lobby", auth=Auth.PUBLIC)
async def set_lobby(ctx: Ctx) -> Reply:
    state = ctx.params.integer("state")
    timer = ctx.params.opt_integer("timer")
    return await _change_room(
        ctx, lambda conn, room, me, now: room_settings.set_lobby(conn, room, me.actor, state, timer, now)
    )


@api.put(f"{BASE}/room/{{token}}/permissions/{{mode}}", auth=Auth.PUBLIC)
async def set_permissions(ctx: Ctx) -> Reply:
    mode = ctx.params.string("mode")
    permissions = ctx.params.integer("permissions")
    return await _change_room(
        ctx, lambda conn, room, me, now: room_settings.set_default_permissions(conn, room, mode, permissions, now)
    )


def _attendee_flag(flag: str, value: bool) -> Callable[[Ctx], Awaitable[Reply]]:
    async def handler(ctx: Ctx) -> Reply:
        return await _change_room(
            ctx,
            lambda conn, room, me, now: room_settings.set_attendee_flag(conn, me, flag, value, now),
            moderator=False,
        )

    handler.__name__ = f"{'set' if value else 'unset'}_{flag}"
    return handler


for _path, _flag in (
    ("favorite", "favorite"),
    ("archive", "archived"),
    ("important", "important"),
    ("sensitive", "sensitive"),
):
    api.post(f"{BASE}/room/{{token}}/{_path}")(_attendee_flag(_flag, True))
    api.delete(f"{BASE}/room/{{token}}/{_path}")(_attendee_flag(_flag, False))


@api.post(f"{BASE}/room/{{token}}/notify")
async def set_notification_level(ctx: Ctx) -> Reply:
    level = ctx.params.integer("level")
    return await _change_room(
        ctx,
        lambda conn, room, me, now: room_settings.set_notification_level(conn, me, level, now),
        moderator=False,
    )


@api.post(f"{BASE}/room/{{token}}/notify-calls")
async def set_notification_calls(ctx: Ctx) -> Reply:
    level = ctx.params.integer("level")
    return await _change_room(
        ctx,
        lambda conn, room, me, now: room_settings.set_notification_calls(conn, me, level, now),
        moderator=False,
    )


@api.get(f"{BASE}/listed-room")
async def listed_rooms(ctx: Ctx) -> list[dict[str, Any]]:
    """Listable conversations the user has not joined, matching ``searchTerm``."""
    user = ctx.require_user
    search = ctx.params.string("searchTerm").strip()
    async with ctx.runtime.db.read() as conn:
        viewer = await room_access.viewer(ctx, conn)
        return [await format_room(conn, room, None, viewer) for room in await rooms.listed_for(conn, user.uid, search)]
