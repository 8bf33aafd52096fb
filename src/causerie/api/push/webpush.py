"""The notifications app's web push API (``/apps/notifications/api/v2/webpush``): the server's VAPID
key, and registering, activating and removing the subscription of the device that asks.

A device is the app password a request is authenticated with (Talk Android's login leaves it one),
as Nextcloud keys subscriptions by session token. A request with the account's own password has
none (400 ``INVALID_SESSION_TOKEN``); browser sessions are refused (403 ``WEBPUSH_DISABLED``), since
``webpush-browsers`` is not announced.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from causerie.http.endpoint import Api, Ctx, Reply
from causerie.services import clock
from causerie.services.config.appconfig import AppConfig
from causerie.services.config.notifications_config import ALLOW_LOCAL, CORE
from causerie.services.jobs import queue as jobs
from causerie.services.push import subscriptions, vapid
from causerie.storage.db import Conn

api = Api()
BASE = "/apps/notifications/api/v2/webpush"


def _secret(ctx: Ctx) -> str | None:
    """The password or token the request was authenticated with."""
    scheme, _, value = ctx.request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip().encode(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    _, sep, password = decoded.partition(":")
    return password if sep else None


async def _device(ctx: Ctx, conn: Conn) -> int:
    user = ctx.require_user
    if ctx.identity.method == "session":
        raise subscriptions.refused("WEBPUSH_DISABLED", 403)
    secret = _secret(ctx)
    device = None if secret is None else await subscriptions.device_of(conn, user.uid, secret)
    if device is None:
        raise subscriptions.refused("INVALID_SESSION_TOKEN", 400)
    return device


@api.get(f"{BASE}/vapid")
async def get_vapid(ctx: Ctx) -> dict[str, Any]:
    keys = await vapid.keys(ctx.runtime.db, ctx.runtime.settings.base_url)
    return {"vapid": keys.public_key}


@api.post(BASE)
async def register(ctx: Ctx) -> Reply:
    params = ctx.params
    # Talk Android sends appTypes; Nextcloud's controller names it apptypes.
    app_types = params.string("appTypes", params.string("apptypes", "all"))
    async with ctx.runtime.db.write() as conn:
        device = await _device(ctx, conn)
        allow_local = (await AppConfig.load(conn, CORE)).boolean(ALLOW_LOCAL)
        status = await subscriptions.register(
            conn,
            ctx.require_user.uid,
            device,
            endpoint=params.string("endpoint"),
            p256dh=params.string("uaPublicKey"),
            auth=params.string("auth"),
            app_types=app_types,
            allow_local=allow_local,
            now=int(clock.now()),
        )
    if status == 201:
        await jobs.wake(ctx.runtime.broker)  # the activation push
    return Reply([], status=status)


@api.post(f"{BASE}/activate")
async def activate(ctx: Ctx) -> Reply:
    async with ctx.runtime.db.write() as conn:
        device = await _device(ctx, conn)
        status = await subscriptions.activate(conn, ctx.require_user.uid, device, ctx.params.string("activationToken"))
    return Reply([], status=status)


@api.delete(BASE)
async def remove(ctx: Ctx) -> Reply:
    async with ctx.runtime.db.write() as conn:
        device = await _device(ctx, conn)
        status = await subscriptions.remove(conn, ctx.require_user.uid, device)
    return Reply([], status=status)
