"""Nextcloud's capabilities endpoint, which every client reads first."""

from __future__ import annotations

from typing import Any

from causerie.http.auth import LOGIN_ACTION
from causerie.http.endpoint import Api, Auth, Ctx
from causerie.services import capabilities
from causerie.services.calls import signaling_tickets

api = Api()


@api.get("/cloud/capabilities", auth=Auth.PUBLIC)
async def get_capabilities(ctx: Ctx) -> dict[str, Any]:
    # The signaling server fetches the hello v2 token key here, possibly before any client asked
    # for signaling settings: it must never be missing.
    config = await signaling_tickets.config_with_keys(ctx.runtime.db)
    delay = await ctx.runtime.throttler.delay_ms(ctx.ip, LOGIN_ACTION)
    return capabilities.capabilities(config, ctx.user, delay)
