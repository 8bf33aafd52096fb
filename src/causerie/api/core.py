"""Nextcloud core endpoints that Talk clients call: capabilities and the current user."""

from __future__ import annotations

from typing import Any

from causerie.http.auth import LOGIN_ACTION
from causerie.http.endpoint import Api, Auth, Ctx
from causerie.services import capabilities, signaling_tickets
from causerie.storage import accounts

api = Api()


@api.get("/cloud/capabilities", auth=Auth.PUBLIC)
async def get_capabilities(ctx: Ctx) -> dict[str, Any]:
    # The signaling server fetches the hello v2 token key here, possibly before any client asked
    # for signaling settings: it must never be missing.
    config = await signaling_tickets.config_with_keys(ctx.runtime.db)
    delay = await ctx.runtime.throttler.delay_ms(ctx.ip, LOGIN_ACTION)
    return capabilities.capabilities(config, ctx.user, delay)


@api.get("/cloud/user")
async def get_current_user(ctx: Ctx) -> dict[str, Any]:
    user = ctx.require_user
    async with ctx.runtime.db.read() as conn:
        row = await accounts.get_user(conn, user.uid)
        group_ids = await accounts.user_group_ids(conn, user.uid)
    assert row is not None
    return {
        "enabled": True,
        "id": user.uid,
        "firstLoginTimestamp": row.first_login or -1,
        "lastLoginTimestamp": row.last_login or -1,
        "lastLogin": (row.last_login or 0) * 1000,
        "backend": "Database",
        "subadmin": [],
        "quota": {"free": -3, "used": 0, "total": -3, "relative": 0, "quota": -3},
        "manager": "",
        "email": row.email,
        "additional_mail": [],
        "displayname": user.display_name,
        "display-name": user.display_name,
        "phone": "",
        "address": "",
        "website": "",
        "twitter": "",
        "fediverse": "",
        "organisation": "",
        "role": "",
        "headline": "",
        "biography": "",
        "profile_enabled": "1",
        "pronouns": "",
        "groups": group_ids,
        "language": "en",
        "locale": "",
        "notify_email": None,
        "backendCapabilities": {"setDisplayName": True, "setPassword": True},
    }
