"""Nextcloud's AutoCompleteController: ``GET /core/autocomplete/get``, how every Talk app finds
people to start a conversation with or to add to one."""

from __future__ import annotations

from typing import Any

from causerie.http.endpoint import Api, Ctx
from causerie.http.params import php_int
from causerie.services import clock
from causerie.services.collaborators import autocomplete

api = Api()


def _share_types(ctx: Ctx) -> frozenset[int]:
    if "shareTypes" not in ctx.params:
        return frozenset({autocomplete.SHARE_USER})
    values = ctx.params.array("shareTypes")
    if not isinstance(ctx.params.raw("shareTypes"), list | dict):
        # A plain repeated key (``shareTypes=0&shareTypes=1``), which PHP would cut to the last.
        values = ctx.request.query_params.getlist("shareTypes") or values
    found = set()
    for value in values:
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip().lstrip("-").isdigit():
            found.add(php_int(value))
    return frozenset(found)


@api.get("/core/autocomplete/get")
async def get(ctx: Ctx) -> list[dict[str, Any]]:
    params = ctx.params
    query = autocomplete.Query(
        search=params.string("search"),
        item_type=params.opt_string("itemType"),
        item_id=params.opt_string("itemId"),
        share_types=_share_types(ctx),
        limit=params.integer("limit", 10),
        offset=max(params.integer("offset", 0), 0),
    )
    async with ctx.runtime.db.read() as conn:
        return await autocomplete.search(conn, ctx.require_user, query, int(clock.now()))
