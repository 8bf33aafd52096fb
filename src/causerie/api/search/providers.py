"""Nextcloud's unified search (``core/Controller/UnifiedSearchController``) for Talk's message
providers: ``GET /search/providers`` and ``GET /search/providers/{providerId}/search``."""

from __future__ import annotations

from typing import Any

from causerie.http.endpoint import Api, Ctx
from causerie.services.errors import NotFound
from causerie.services.search import messages

api = Api()


@api.get("/search/providers")
async def list_providers(ctx: Ctx) -> list[dict[str, Any]]:
    ctx.require_user  # noqa: B018 - logged-in users only, as Nextcloud
    return messages.providers(ctx.params.string("from"))


@api.get("/search/providers/{providerId}/search")
async def search(ctx: Ctx) -> dict[str, Any]:
    user = ctx.require_user
    params = ctx.params
    provider = params.string("providerId")
    if provider not in messages.PROVIDERS:
        raise NotFound(data=None)
    limit = params.integer("limit", messages.DEFAULT_LIMIT)
    query = messages.Query(
        provider=provider,
        term=params.string("term"),
        limit=min(max(limit, 1), messages.MAX_LIMIT),
        offset=max(params.integer("cursor", 0), 0),
        current=messages.token_of(params.string("from")),
        base_url=ctx.base_url,
    )
    async with ctx.runtime.db.read() as conn:
        return await messages.search(conn, user, query)
