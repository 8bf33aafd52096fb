"""Nextcloud's provisioning API for accounts and groups (``/cloud/users``, ``/cloud/groups``).

The web app's Account and Admin pages use these endpoints too, so clients and the page share one API.
"""

from __future__ import annotations

from typing import Any

from causerie.http.endpoint import Api, Ctx
from causerie.services.accounts import provisioning

api = Api()


@api.get("/cloud/users")
async def list_users(ctx: Ctx) -> dict[str, Any]:
    params = ctx.params
    async with ctx.runtime.db.read() as conn:
        ids = await provisioning.list_user_ids(
            conn, ctx.require_user, params.string("search"), params.opt_integer("limit"), params.integer("offset")
        )
    return {"users": ids}


@api.post("/cloud/users")
async def add_user(ctx: Ctx) -> dict[str, Any]:
    params = ctx.params
    groups = [str(g) for g in params.array("groups")]
    async with ctx.runtime.db.write() as conn:
        uid = await provisioning.create(
            conn,
            ctx.require_user,
            params.string("userid"),
            params.string("password"),
            params.string("displayName"),
            groups,
        )
    return {"id": uid}


@api.get("/cloud/users/{userId}")
async def get_user(ctx: Ctx) -> dict[str, Any]:
    async with ctx.runtime.db.read() as conn:
        return await provisioning.details(conn, ctx.require_user, ctx.params.string("userId"))


@api.put("/cloud/users/{userId}", throttle=[provisioning.CONFIRM_ACTION])
async def edit_user(ctx: Ctx) -> list[Any]:
    params = ctx.params
    caller = ctx.require_user
    uid = params.string("userId")
    # A browser changing its own password confirms it with the current one (Nextcloud asks the
    # session for a password confirmation); clients with credentials have just sent theirs.
    confirm = ctx.identity.method == "session" and uid == caller.uid and params.string("key") == "password"
    async with ctx.runtime.db.write() as conn:
        await provisioning.edit(
            conn,
            caller,
            uid,
            params.string("key"),
            params.string("value"),
            current_password=params.string("currentPassword") if confirm else None,
        )
    return []


async def _set_enabled(ctx: Ctx, enabled: bool) -> list[Any]:
    uid = ctx.params.string("userId")
    async with ctx.runtime.db.write() as conn:
        await provisioning.set_enabled(conn, ctx.require_user, uid, enabled)
    if not enabled:
        ctx.runtime.passwords.forget(uid)
    return []


@api.put("/cloud/users/{userId}/disable")
async def disable_user(ctx: Ctx) -> list[Any]:
    return await _set_enabled(ctx, False)


@api.put("/cloud/users/{userId}/enable")
async def enable_user(ctx: Ctx) -> list[Any]:
    return await _set_enabled(ctx, True)


@api.get("/cloud/users/{userId}/groups")
async def get_user_groups(ctx: Ctx) -> dict[str, Any]:
    async with ctx.runtime.db.read() as conn:
        return {"groups": await provisioning.user_groups(conn, ctx.require_user, ctx.params.string("userId"))}


@api.post("/cloud/users/{userId}/groups")
async def add_to_group(ctx: Ctx) -> list[Any]:
    params = ctx.params
    async with ctx.runtime.db.write() as conn:
        await provisioning.add_to_group(conn, ctx.require_user, params.string("userId"), params.string("groupid"))
    return []


@api.delete("/cloud/users/{userId}/groups")
async def remove_from_group(ctx: Ctx) -> list[Any]:
    params = ctx.params
    async with ctx.runtime.db.write() as conn:
        await provisioning.remove_from_group(conn, ctx.require_user, params.string("userId"), params.string("groupid"))
    return []


@api.get("/cloud/groups")
async def list_groups(ctx: Ctx) -> dict[str, Any]:
    params = ctx.params
    async with ctx.runtime.db.read() as conn:
        ids = await provisioning.list_group_ids(
            conn, ctx.require_user, params.string("search"), params.opt_integer("limit"), params.integer("offset")
        )
    return {"groups": ids}


@api.post("/cloud/groups")
async def add_group(ctx: Ctx) -> list[Any]:
    params = ctx.params
    async with ctx.runtime.db.write() as conn:
        await provisioning.create_group(conn, ctx.require_user, params.string("groupid"), params.string("displayname"))
    return []


@api.delete("/cloud/groups/{groupId}")
async def delete_group(ctx: Ctx) -> list[Any]:
    async with ctx.runtime.db.write() as conn:
        await provisioning.delete_group(conn, ctx.require_user, ctx.params.string("groupId"))
    return []


@api.post("/apps/causerie/api/v1/account/sign-out-everywhere")
async def sign_out_everywhere(ctx: Ctx) -> dict[str, Any]:
    """End every browser session of the caller (this one too) and forget its remembered credentials."""
    user = ctx.require_user
    async with ctx.runtime.db.write() as conn:
        ended = await provisioning.sign_out_everywhere(conn, user.uid)
    ctx.runtime.passwords.forget(user.uid)
    # The caller's own session is gone: do not write it back.
    ctx.identity.session = None
    return {"sessions": ended}
