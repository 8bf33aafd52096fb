"""The server's clock, which test suites move instead of sleeping (``CAUSERIE_TESTING=1`` only)."""

from __future__ import annotations

from typing import Any

from causerie.http.endpoint import Api, Ctx
from causerie.services import clock
from causerie.services.accounts import users
from causerie.services.errors import NotFound
from causerie.services.jobs import queue as jobs

api = Api()
PATH = "/apps/causerie/api/v1/clock"


async def _require_testing_admin(ctx: Ctx) -> None:
    user = ctx.require_user
    if not ctx.runtime.settings.testing:
        raise NotFound(data=[])
    async with ctx.runtime.db.read() as conn:
        if not await users.is_admin(conn, user.uid):
            raise NotFound(data=[])


@api.get(PATH)
async def get_clock(ctx: Ctx) -> dict[str, Any]:
    await _require_testing_admin(ctx)
    return {"now": clock.now()}


@api.post(PATH)
async def advance_clock(ctx: Ctx) -> dict[str, Any]:
    """Move the clock forward by ``seconds``; whatever became due (reminders, retries) runs."""
    await _require_testing_admin(ctx)
    now = clock.advance(float(max(ctx.params.integer("seconds"), 0)))
    await jobs.wake(ctx.runtime.broker)
    return {"now": now}
