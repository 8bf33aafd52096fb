"""Nextcloud's provisioning endpoint for the current user, which clients read at login."""

from __future__ import annotations

from typing import Any

from causerie.http.endpoint import Api, Ctx
from causerie.services.accounts import users

api = Api()


@api.get("/cloud/user")
async def get_current_user(ctx: Ctx) -> dict[str, Any]:
    user = ctx.require_user
    async with ctx.runtime.db.read() as conn:
        return await users.profile(conn, user)
