"""Nextcloud's app config API (``provisioning_api``), for admins: what ``occ config:app:set`` does,
with the same validation. Sensitive values are written but never read back: the answer only says
whether one is set."""

from __future__ import annotations

from typing import Any

from causerie.http.endpoint import Api, Ctx
from causerie.services.accounts import users
from causerie.services.config import appconfig, talk_config
from causerie.services.errors import BadRequest, Forbidden, InvalidConfigValue
from causerie.storage.db import Conn

api = Api()

BASE = "/apps/provisioning_api/api/v1/config/apps"
# The apps whose keys can be changed here: the ones whose keys Causerie knows and validates.
APPS = (talk_config.APP,)


async def _require_admin(ctx: Ctx, conn: Conn) -> None:
    if not await users.is_admin(conn, ctx.require_user.uid):
        raise Forbidden(message="Logged in account must be an admin")


def _known(app: str, key: str) -> appconfig.Key:
    if app not in APPS:
        raise BadRequest(message="Invalid app")
    found = appconfig.LEXICON.get(app, key)
    if found is None:
        raise BadRequest(message="Invalid key")
    return found


@api.post(BASE + "/{appId}/{configKey}")
async def set_value(ctx: Ctx) -> list[Any]:
    params = ctx.params
    app, key = params.string("appId"), params.string("configKey")
    known = _known(app, key)
    try:
        prepared = appconfig.prepare(app, key, params.string("value"), None, known.sensitive)
    except InvalidConfigValue as refused:
        raise BadRequest(message=str(refused)) from None
    async with ctx.runtime.db.write() as conn:
        await _require_admin(ctx, conn)
        await appconfig.set_value(conn, app, prepared)
    return []


@api.delete(BASE + "/{appId}/{configKey}")
async def delete_value(ctx: Ctx) -> list[Any]:
    params = ctx.params
    app, key = params.string("appId"), params.string("configKey")
    _known(app, key)
    async with ctx.runtime.db.write() as conn:
        await _require_admin(ctx, conn)
        await appconfig.delete_value(conn, app, key)
    return []


@api.get(BASE + "/{appId}")
async def list_values(ctx: Ctx) -> dict[str, Any]:
    """The app's known keys: plain values as stored, sensitive ones only as set or not."""
    app = ctx.params.string("appId")
    if app not in APPS:
        raise BadRequest(message="Invalid app")
    async with ctx.runtime.db.read() as conn:
        await _require_admin(ctx, conn)
        stored = await appconfig.AppConfig.load(conn, app)
    shown: dict[str, Any] = {}
    for name, key in appconfig.LEXICON.keys.get(app, {}).items():
        row = stored.raw(name)
        if key.sensitive or (row is not None and row.sensitive):
            shown[name] = {"sensitive": True, "set": row is not None and row.value != ""}
        else:
            shown[name] = {"sensitive": False, "set": row is not None, "value": None if row is None else row.value}
    return {"data": shown}
