"""The notifications app's OCS API v2 (``/apps/notifications/api/v2/notifications``): list (with an
ETag and the caller's user status), get, delete one or all, and which ids still exist."""

from __future__ import annotations

from typing import Any

from causerie.http.endpoint import Api, Ctx, Reply
from causerie.services import clock
from causerie.services.errors import BadRequest
from causerie.services.jobs import queue as jobs
from causerie.services.notifications import dismissal, listing
from causerie.services.status import statuses

api = Api()
BASE = "/apps/notifications/api/v2/notifications"


async def _forget(ctx: Ctx, uid: str, ids: list[int]) -> None:
    """Remove notifications that no longer apply (Nextcloud's AlreadyProcessedException)."""
    if not ids:
        return
    async with ctx.runtime.db.write() as conn:
        pushed = await dismissal.dismiss(conn, uid, ids)
    if pushed:
        await jobs.wake(ctx.runtime.broker)


@api.get(BASE)
async def list_notifications(ctx: Ctx) -> Reply:
    uid = ctx.require_user.uid
    now = int(clock.now())
    async with ctx.runtime.db.read() as conn:
        found = await listing.of_user(conn, uid, ctx.base_url, now)
        own = await statuses.of_user(conn, uid, now)
    await _forget(ctx, uid, found.stale)
    tag = f'"{found.etag}"'
    # Talk Desktop holds back call pop-ups while its user does not want to be disturbed.
    headers = {"ETag": tag, "X-Nextcloud-User-Status": own.status if own is not None else statuses.ONLINE}
    if ctx.request.headers.get("if-none-match", "").strip() == tag:
        return Reply(None, status=304, headers=headers)
    return Reply(found.data, headers=headers)


@api.get(f"{BASE}/{{id:int}}")
async def get_notification(ctx: Ctx) -> Reply:
    uid = ctx.require_user.uid
    async with ctx.runtime.db.read() as conn:
        found = await listing.one(conn, uid, ctx.params.integer("id"), ctx.base_url, int(clock.now()))
    await _forget(ctx, uid, found.stale)
    if not found.data:
        return Reply(None, status=404)
    return Reply(found.data[0])


@api.delete(f"{BASE}/{{id:int}}")
async def delete_notification(ctx: Ctx) -> Reply:
    notification_id = ctx.params.integer("id")
    if notification_id == 0:
        return Reply(None, status=404)
    await _forget(ctx, ctx.require_user.uid, [notification_id])
    return Reply([])


@api.delete(BASE)
async def delete_all(ctx: Ctx) -> list[Any]:
    async with ctx.runtime.db.write() as conn:
        pushed = await dismissal.dismiss_all(conn, ctx.require_user.uid)
    if pushed:
        await jobs.wake(ctx.runtime.broker)
    return []


@api.post(f"{BASE}/exists")
async def exists(ctx: Ctx) -> list[int]:
    raw = ctx.params.array("ids")
    if len(raw) > listing.EXISTS_MAX:
        raise BadRequest(data=[])
    ids = [int(value) for value in raw if isinstance(value, int | str) and str(value).isdigit()]
    async with ctx.runtime.db.read() as conn:
        return await listing.existing(conn, ctx.require_user.uid, ids)
