"""App passwords over OCS: Nextcloud core's AppPasswordController, which clients call, and the
list a user manages them by (``apps/causerie``; Nextcloud keeps its list on a settings page)."""

from __future__ import annotations

from typing import Any

from causerie.http.auth import basic_credentials, bearer_token
from causerie.http.endpoint import Api, Auth, Ctx
from causerie.services.accounts import app_passwords
from causerie.services.errors import Forbidden, Unauthorized
from causerie.storage.db import Conn

api = Api()

# Exchanging a one-time token is a guess at a secret: it waits for and counts like a login.
LOGIN_ACTION = "login"


def _secret_used(ctx: Ctx) -> str | None:
    """The secret this request was authenticated with (Basic password or Bearer token)."""
    if ctx.identity.method == "basic":
        credentials = basic_credentials(ctx.request)
        return credentials[1] if credentials else None
    if ctx.identity.method == "bearer":
        return bearer_token(ctx.request)
    return None


def _user_agent(ctx: Ctx) -> str:
    return app_passwords.name_from_user_agent(ctx.request.headers.get("user-agent"))


@api.get("/core/getapppassword")
async def get_app_password(ctx: Ctx) -> dict[str, Any]:
    """Turns a login made with the account's password into an app password named after the client."""
    user = ctx.require_user
    secret = _secret_used(ctx)
    if secret is None:
        # A browser session does not hold the password it was opened with.
        raise Forbidden(message="Credentials unavailable", data=[])
    async with ctx.runtime.db.write() as conn:
        if ctx.identity.method == "bearer" or await app_passwords.in_use(conn, user.uid, secret) is not None:
            raise Forbidden(message="You cannot request an new apppassword with an apppassword", data=[])
        _, token = await app_passwords.create(conn, user.uid, _user_agent(ctx))
    return {"apppassword": token}


@api.get("/core/getapppassword-onetime", auth=Auth.CREDENTIALS, throttle=[LOGIN_ACTION])
async def get_app_password_onetime(ctx: Ctx) -> dict[str, Any]:
    """Exchanges the one-time token of a one-time QR code (Basic ``login:token``) for an app password."""
    credentials = basic_credentials(ctx.request)
    if credentials is None or not credentials[0] or len(credentials[0]) > 64 or len(credentials[1]) > 256:
        raise Unauthorized(message="Current user is not logged in", data=[], throttle=LOGIN_ACTION)
    login, token = credentials
    async with ctx.runtime.db.write() as conn:
        permanent = await app_passwords.exchange_onetime(conn, login, token, _user_agent(ctx))
    if permanent is None:
        raise Unauthorized(message="Current user is not logged in", data=[], throttle=LOGIN_ACTION)
    return {"apppassword": permanent}


async def _password_in_use(ctx: Ctx, conn: Conn) -> int:
    """The id of the app password the request came with (403 for a login password or a session)."""
    secret = _secret_used(ctx)
    password_id = None if secret is None else await app_passwords.in_use(conn, ctx.require_user.uid, secret)
    if password_id is None:
        raise Forbidden(message="no app password in use", data=[])
    return password_id


@api.delete("/core/apppassword")
async def delete_app_password(ctx: Ctx) -> list[Any]:
    """Logging out of a client revokes the app password it used."""
    user = ctx.require_user
    async with ctx.runtime.db.write() as conn:
        await app_passwords.revoke(conn, user.uid, await _password_in_use(ctx, conn))
    return []


@api.post("/core/apppassword/rotate")
async def rotate_app_password(ctx: Ctx) -> dict[str, Any]:
    """A client swaps the app password it uses for a new one."""
    async with ctx.runtime.db.write() as conn:
        token = await app_passwords.rotate(conn, await _password_in_use(ctx, conn))
    return {"apppassword": token}


@api.get("/apps/causerie/api/v1/app-passwords")
async def list_app_passwords(ctx: Ctx) -> list[dict[str, Any]]:
    user = ctx.require_user
    async with ctx.runtime.db.read() as conn:
        found = await app_passwords.listing(conn, user.uid)
        current = None if (secret := _secret_used(ctx)) is None else await app_passwords.in_use(conn, user.uid, secret)
    return [{**item.as_json(), "current": item.id == current} for item in found]


@api.post("/apps/causerie/api/v1/app-passwords")
async def create_app_password(ctx: Ctx) -> dict[str, Any]:
    user = ctx.require_user
    name = ctx.params.string("name")
    async with ctx.runtime.db.write() as conn:
        password_id, token = await app_passwords.create(conn, user.uid, name)
    return {"id": password_id, "name": name.strip(), "loginName": user.uid, "apppassword": token}


@api.put("/apps/causerie/api/v1/app-passwords/{id:int}")
async def rename_app_password(ctx: Ctx) -> list[Any]:
    user = ctx.require_user
    async with ctx.runtime.db.write() as conn:
        await app_passwords.rename(conn, user.uid, ctx.params.integer("id"), ctx.params.string("name"))
    return []


@api.delete("/apps/causerie/api/v1/app-passwords/{id:int}")
async def revoke_app_password(ctx: Ctx) -> list[Any]:
    user = ctx.require_user
    async with ctx.runtime.db.write() as conn:
        await app_passwords.revoke(conn, user.uid, ctx.params.integer("id"))
    return []
