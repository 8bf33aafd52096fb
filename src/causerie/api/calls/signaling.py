"""Talk's SignalingController: settings for clients, and the external signaling server's backend."""

from __future__ import annotations

import json
import time
from typing import Any

from causerie.api.rooms import access as room_access
from causerie.http.endpoint import Api, Auth, Ctx, Reply
from causerie.http.longpoll import wait_for
from causerie.services import client_json
from causerie.services.calls import internal_signaling, signaling, signaling_backend
from causerie.services.calls.signaling_tickets import SigningKeys, config_with_keys, stored_keys
from causerie.services.config import signaling as signaling_config
from causerie.services.config.appconfig import AppConfig
from causerie.services.config.talk_config import APP
from causerie.services.errors import BadRequest, NotFound, Unauthorized
from causerie.services.rooms import participants, rooms
from causerie.services.rooms.system_messages import room_key

api = Api()

ROOM_TOKEN = "talkRoomToken"
RECORDING_SECRET = "talkRecordingSecret"
SIGNALING_SECRET = "talkSignalingSecret"


def _issuer(ctx: Ctx) -> str:
    """The absolute base URL, as Talk's ``getAbsoluteURL('')`` puts it in the JWT's ``iss``."""
    public = ctx.runtime.settings.public_url
    return (public.rstrip("/") if public else ctx.base_url.rstrip("/")) + "/"


async def _config_and_keys(ctx: Ctx) -> tuple[AppConfig, SigningKeys]:
    config = await config_with_keys(ctx.runtime.db)
    keys = stored_keys(config)
    assert keys is not None
    return config, keys


@api.get(
    "/apps/spreed/api/v3/signaling/settings",
    auth=Auth.PUBLIC,
    throttle=[ROOM_TOKEN, RECORDING_SECRET],
    exempt=room_access.already_in,
)
async def get_settings(ctx: Ctx) -> dict[str, Any]:
    headers = ctx.request.headers
    if headers.get("talk-recording-random") or headers.get("talk-recording-checksum"):
        # Causerie has no recording server, so no recording request can be authentic.
        raise Unauthorized(throttle=RECORDING_SECRET)
    room_id: int | None = None
    token = ctx.params.string("token")
    if token:
        # Talk's getRoomForUserByToken: participants, and visitors of public (or listable) rooms.
        async with ctx.runtime.db.read() as conn:
            room, _ = await participants.load_viewer(conn, room_access.requester(ctx), token)
        room_id = room.id
    config, keys = await _config_and_keys(ctx)
    user = ctx.user
    caller = signaling.Caller(user.uid if user else None, user.display_name if user else None)
    return signaling.settings(config, keys, caller, room_id=room_id, issuer=_issuer(ctx), now=int(time.time()))


@api.post("/apps/spreed/api/v3/signaling/backend", auth=Auth.NONE, throttle=[SIGNALING_SECRET])
async def backend(ctx: Ctx) -> Reply:
    body = await ctx.request.body()
    async with ctx.runtime.db.read() as conn:
        config = await AppConfig.load(conn, APP)
    headers = ctx.request.headers
    random, checksum = headers.get("spreed-signaling-random"), headers.get("spreed-signaling-checksum")
    if not signaling.backend_request_is_valid(config, random, checksum, body):
        ctx.throttle(SIGNALING_SECRET)
        return Reply(signaling_backend.INVALID_REQUEST)
    try:
        message = client_json.loads(body)
    except ValueError:
        return Reply(signaling_backend.error("invalid_request", "The request body is not valid JSON."))
    reply, keys = await signaling_backend.answer(ctx.runtime.db, message)
    for key in keys:
        await ctx.runtime.publish(key)
    return Reply(reply)


# --- internal signaling (declared after settings/backend, which their paths would also match) ------


async def _internal_mode_or_400(ctx: Ctx) -> None:
    async with ctx.runtime.db.read() as conn:
        config = await AppConfig.load(conn, APP)
    if signaling_config.signaling_mode(config) != signaling_config.MODE_INTERNAL:
        raise BadRequest(data="Internal signaling disabled.")


def _messages_param(ctx: Ctx) -> str:
    raw = ctx.params.raw("messages")
    # Clients send a JSON string; a form-encoded or JSON array is taken as the same thing.
    return raw if isinstance(raw, str) else json.dumps(ctx.params.array("messages"))


@api.post("/apps/spreed/api/v3/signaling/{token}", auth=Auth.PUBLIC)
async def send_messages(ctx: Ctx) -> list[Any]:
    await _internal_mode_or_400(ctx)
    token = ctx.params.string("token")
    async with ctx.runtime.db.write() as conn:
        try:
            room, participant = await room_access.load(ctx, conn, token)
        except NotFound:
            # Talk answers 200 and delivers nothing to a sender who is not in the conversation.
            return []
        recipients = await internal_signaling.send(conn, room, participant, _messages_param(ctx), int(time.time()))
    for recipient in dict.fromkeys(recipients):
        await ctx.runtime.publish(internal_signaling.session_key(recipient))
    return []


@api.get("/apps/spreed/api/v3/signaling/{token}", auth=Auth.PUBLIC)
async def pull_messages(ctx: Ctx) -> Reply:
    await _internal_mode_or_400(ctx)
    token = ctx.params.string("token")
    requester = room_access.requester(ctx)
    session_id = requester.session_for(token)
    not_found = Reply([internal_signaling.EMPTY_USERS], status=404)
    if session_id is None:
        return not_found
    pinged = int(time.time())
    async with ctx.runtime.db.write() as conn:
        try:
            room, participant = await participants.load_for_request(conn, requester, token)
        except NotFound:
            return not_found
        if participant.session_id != session_id:
            return not_found
        await internal_signaling.ping(conn, session_id, pinged)
        admin_default = participant.admin_default_permissions
        before = internal_signaling.fingerprint(room, await internal_signaling.sessions(conn, room, 0), admin_default)

    async def check(generation: int) -> list[dict[str, Any]] | None:
        """Messages, or [] when the session list changed or the session ended; None to keep waiting."""
        async with ctx.runtime.db.read() as conn:
            alive = await internal_signaling.session_alive(conn, session_id)
            rows = await internal_signaling.sessions(conn, room, 0) if alive else []
            waiting = await internal_signaling.waiting(conn, session_id) if alive else 0
        if waiting:
            async with ctx.runtime.db.write() as conn:
                return await internal_signaling.take(conn, session_id)
        if not alive or internal_signaling.fingerprint(room, rows, admin_default) != before:
            return []
        return None

    found = await wait_for(
        ctx.request,
        ctx.runtime.hub,
        internal_signaling.session_key(session_id),
        check,
        internal_signaling.PULL_TIMEOUT_S,
        also=[room_key(token)],
    )
    data = list(found or [])
    now = int(time.time())
    async with ctx.runtime.db.read() as conn:
        current = await rooms.get_by_id(conn, room.id)
        alive = await internal_signaling.session_alive(conn, session_id)
        if current is not None and alive:
            since = min(now - internal_signaling.USERS_IN_ROOM_WINDOW_S, pinged)
            rows = await internal_signaling.sessions(conn, current, since)
            data.append(internal_signaling.users_in_room(current, rows, admin_default))
            return Reply(data)
        data.append(internal_signaling.EMPTY_USERS)
        # Killed session but still a participant: 409 makes the web UI say so; otherwise 404.
        still_member = current is not None and (
            await participants.find_participant(conn, current, participants.Requester(ctx.user)) is not None
            if ctx.user is not None
            else current.type == rooms.PUBLIC
        )
    return Reply(data, status=409 if still_member else 404)
