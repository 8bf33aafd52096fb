"""Nextcloud's user_status app (``/apps/user_status/api/v1``): the caller's own status and message,
heartbeats, the predefined messages, and other users' public statuses."""

from __future__ import annotations

from typing import Any

from causerie.http.endpoint import Api, Ctx, Reply
from causerie.services import clock
from causerie.services.errors import NotFound
from causerie.services.status import predefined, statuses

api = Api()
BASE = "/apps/user_status/api/v1"


def _now() -> int:
    return int(clock.now())


@api.get(f"{BASE}/user_status")
async def get_own(ctx: Ctx) -> dict[str, Any]:
    async with ctx.runtime.db.read() as conn:
        return statuses.private(await statuses.own(conn, ctx.require_user.uid, _now()))


@api.put(f"{BASE}/user_status/status")
async def set_status_type(ctx: Ctx) -> dict[str, Any]:
    async with ctx.runtime.db.write() as conn:
        status = await statuses.set_status_type(conn, ctx.require_user.uid, ctx.params.string("statusType"), _now())
    return statuses.private(status)


@api.put(f"{BASE}/user_status/message/predefined")
async def set_predefined_message(ctx: Ctx) -> dict[str, Any]:
    params = ctx.params
    async with ctx.runtime.db.write() as conn:
        status = await statuses.set_predefined(
            conn, ctx.require_user.uid, params.string("messageId"), params.opt_integer("clearAt"), _now()
        )
    return statuses.private(status)


@api.put(f"{BASE}/user_status/message/custom")
async def set_custom_message(ctx: Ctx) -> dict[str, Any]:
    params = ctx.params
    async with ctx.runtime.db.write() as conn:
        status = await statuses.set_custom(
            conn,
            ctx.require_user.uid,
            params.opt_string("statusIcon"),
            params.opt_string("message"),
            params.opt_integer("clearAt"),
            _now(),
        )
    return statuses.private(status)


@api.delete(f"{BASE}/user_status/message")
async def clear_message(ctx: Ctx) -> list[Any]:
    async with ctx.runtime.db.write() as conn:
        await statuses.clear_message(conn, ctx.require_user.uid)
    return []


@api.delete(f"{BASE}/user_status/revert/{{messageId}}")
async def revert_status(ctx: Ctx) -> list[Any]:
    """Restores the status an app saved before setting its own (Talk's "In a call"). Causerie never
    sets a status on a user's behalf, so there is never a backup to restore: Nextcloud's answer
    for that case."""
    return []


@api.put(f"{BASE}/heartbeat")
async def heartbeat(ctx: Ctx) -> Reply:
    async with ctx.runtime.db.write() as conn:
        status = await statuses.heartbeat(conn, ctx.require_user.uid, ctx.params.string("status"), _now())
    if status is None:
        return Reply([], status=204)
    return Reply(statuses.private(status))


@api.get(f"{BASE}/predefined_statuses")
async def predefined_statuses(ctx: Ctx) -> list[dict[str, Any]]:
    return predefined.offered()


@api.get(f"{BASE}/statuses")
async def list_statuses(ctx: Ctx) -> list[dict[str, Any]]:
    limit = ctx.params.opt_integer("limit")
    offset = ctx.params.opt_integer("offset")
    async with ctx.runtime.db.read() as conn:
        found = await statuses.listing(
            conn,
            limit=None if limit is None else max(limit, 0),
            offset=None if offset is None else max(offset, 0),
            now=_now(),
        )
    return [statuses.public(status) for status in found]


@api.get(f"{BASE}/statuses/{{userId}}")
async def get_status(ctx: Ctx) -> dict[str, Any]:
    async with ctx.runtime.db.read() as conn:
        status = await statuses.of_user(conn, ctx.params.string("userId"), _now())
    if status is None:
        raise NotFound(message="No status for the requested userId", data=[])
    return statuses.public(status)
