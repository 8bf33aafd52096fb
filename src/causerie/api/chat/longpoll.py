"""Numbers an administrator (and the test suite) can read about a running process."""

from __future__ import annotations

from typing import Any

from causerie.http.endpoint import Api, Ctx
from causerie.services.accounts import users
from causerie.services.errors import Forbidden
from causerie.services.jobs.queue import JOBS_KEY

api = Api()


@api.get("/apps/causerie/api/v1/longpoll")
async def longpoll_stats(ctx: Ctx) -> dict[str, Any]:
    """How many long-polls this process holds open right now (admins only)."""
    user = ctx.require_user
    async with ctx.runtime.db.read() as conn:
        if not await users.is_admin(conn, user.uid):
            raise Forbidden(data=[])
    hub = ctx.runtime.hub
    # The job runner idles on the same hub; it is not a client's poll.
    return {"waiters": hub.count() - hub.count(JOBS_KEY)}
