"""Talk's SignalingController: settings for clients, and the external signaling server's backend."""

from __future__ import annotations

import json
import time
from typing import Any

from causerie.http.endpoint import Api, Auth, Ctx, Reply
from causerie.services import signaling, signaling_backend
from causerie.services.appconfig import AppConfig
from causerie.services.errors import Unauthorized
from causerie.services.signaling_tickets import SigningKeys, ensure_keys, stored_keys
from causerie.services.talk_config import APP

api = Api()

ROOM_TOKEN = "talkRoomToken"
RECORDING_SECRET = "talkRecordingSecret"
SIGNALING_SECRET = "talkSignalingSecret"


def _issuer(ctx: Ctx) -> str:
    """The absolute base URL, as Talk's ``getAbsoluteURL('')`` puts it in the JWT's ``iss``."""
    public = ctx.runtime.settings.public_url
    return (public.rstrip("/") if public else str(ctx.request.base_url).rstrip("/")) + "/"


async def _config_and_keys(ctx: Ctx) -> tuple[AppConfig, SigningKeys]:
    async with ctx.runtime.db.read() as conn:
        config = await AppConfig.load(conn, APP)
    keys = stored_keys(config)
    if keys is None:
        async with ctx.runtime.db.write() as conn:
            keys = await ensure_keys(conn, config)
    return config, keys


@api.get("/apps/spreed/api/v3/signaling/settings", auth=Auth.PUBLIC, throttle=[ROOM_TOKEN, RECORDING_SECRET])
async def get_settings(ctx: Ctx) -> dict[str, Any]:
    headers = ctx.request.headers
    if headers.get("talk-recording-random") or headers.get("talk-recording-checksum"):
        # Causerie has no recording server, so no recording request can be authentic.
        raise Unauthorized(throttle=RECORDING_SECRET)
    room_id: int | None = None
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
        message = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return Reply(signaling_backend.error("invalid_request", "The request body is not valid JSON."))
    reply, keys = await signaling_backend.answer(ctx.runtime.db, message)
    for key in keys:
        await ctx.runtime.publish(key)
    return Reply(reply)
