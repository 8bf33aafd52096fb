"""The Account page (``/settings/user``, Nextcloud's personal settings): display name, password,
picture, and signing out everywhere. The page calls the provisioning API; this module only serves it."""

from __future__ import annotations

import json
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from causerie.http.auth import authenticate
from causerie.services.accounts import users
from causerie.web import sessions
from causerie.web.pages import _render, _runtime


async def account_page(request: Request) -> Response:
    runtime = _runtime(request)
    identity = await authenticate(runtime, request)
    user = identity.user
    if user is None or identity.session is None:
        return RedirectResponse("/login?redirect_url=" + quote(request.url.path, safe="/"), status_code=303)
    session = identity.session
    config = {
        "user": {"id": user.uid, "displayName": user.display_name},
        "requestToken": session.csrf_token,
    }
    context = {"config_json": json.dumps(config), "user": user, "request_token": session.csrf_token}
    response = _render(request, "account.html", context)
    sessions.set_cookie(response, request, session)
    return response


async def admin_page(request: Request) -> Response:
    """The Admin page, for members of the ``admin`` group; everyone else gets a 403 page."""
    runtime = _runtime(request)
    identity = await authenticate(runtime, request)
    user = identity.user
    if user is None or identity.session is None:
        return RedirectResponse("/login?redirect_url=" + quote(request.url.path, safe="/"), status_code=303)
    async with runtime.db.read() as conn:
        allowed = await users.is_admin(conn, user.uid)
    if not allowed:
        return _render(request, "forbidden.html", {}, status=403)
    session = identity.session
    config = {"user": {"id": user.uid, "displayName": user.display_name}, "requestToken": session.csrf_token}
    context = {"config_json": json.dumps(config), "user": user, "request_token": session.csrf_token}
    response = _render(request, "admin.html", context)
    sessions.set_cookie(response, request, session)
    return response


routes: list[BaseRoute] = [
    Route("/settings/user", account_page, methods=["GET"]),
    Route("/settings/admin", admin_page, methods=["GET"]),
]
