"""Nextcloud's provisioning endpoint for the current user, which clients read at login."""

from __future__ import annotations

from typing import Any

from causerie.http.endpoint import Api, Ctx
from causerie.services.accounts import users
from causerie.services.files import quota

api = Api()


@api.get("/cloud/user")
async def get_current_user(ctx: Ctx) -> dict[str, Any]:
    user = ctx.require_user
    async with ctx.runtime.db.read() as conn:
        found = await users.profile(conn, user)
        used = await quota.usage(conn, user.uid)
    # Desktop shows its upload button only with a non-zero ``free``.
    found["quota"] = quota.figures(used, quota.disk_free(ctx.runtime.settings.files_dir))
    return found
