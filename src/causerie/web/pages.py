"""Page routes: login and logout, the chat page for users, guest access by link, static files."""

from __future__ import annotations

import hmac
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from causerie.http.auth import SESSION_COOKIE, authenticate
from causerie.http.middleware import external_call_page_headers, page_csp, permissions_policy
from causerie.http.params import parse_body, read_body
from causerie.runtime import Runtime
from causerie.services.accounts import users
from causerie.services.accounts.sessions import HttpSession
from causerie.services.calls.external_call import ServiceConfig
from causerie.services.config.appconfig import AppConfig
from causerie.services.config.talk_config import APP
from causerie.services.errors import DomainError
from causerie.web import sessions

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters["timestamp"] = lambda unix: time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(unix)))

# Talk room tokens are short and URL-safe; anything else never reaches a page.
_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


async def _form(request: Request) -> dict[str, Any]:
    """The posted form (the OCS body parser: same size cap, no multipart)."""
    try:
        return parse_body(request.headers.get("content-type", ""), await read_body(request))
    except DomainError:
        return {}


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _local_target(value: str | None) -> str:
    """Where to go after logging in: a path on this server only, never another site."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/apps/spreed"


async def _external_call(runtime: Runtime) -> ServiceConfig:
    async with runtime.db.read() as conn:
        return ServiceConfig.from_config(await AppConfig.load(conn, APP))


def _page_headers(service: ServiceConfig | None) -> dict[str, str]:
    """Pages that host the external call iframe open up exactly what its configuration names."""
    if service is not None:
        headers = external_call_page_headers(service)
    else:
        headers = {"content-security-policy": page_csp(), "permissions-policy": permissions_policy()}
    return {**{name.lower(): value for name, value in headers.items()}, "cache-control": "no-store"}


def _render(
    request: Request, name: str, context: dict[str, Any], *, status: int = 200, service: ServiceConfig | None = None
) -> Response:
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers.update(_page_headers(service))
    return response


async def index(request: Request) -> Response:
    identity = await authenticate(_runtime(request), request)
    return RedirectResponse("/apps/spreed" if identity.user else "/login", status_code=303)


async def login_form(request: Request) -> Response:
    runtime = _runtime(request)
    identity = await authenticate(runtime, request)
    target = _local_target(request.query_params.get("redirect_url"))
    if identity.user is not None:
        return RedirectResponse(target, status_code=303)
    session = await sessions.current_or_new(runtime, request)
    return _login_page(request, session, target)


def _login_page(
    request: Request, session: HttpSession, target: str, *, error: str = "", login: str = "", status: int = 200
) -> Response:
    context = {"request_token": session.csrf_token, "redirect_url": target, "error": error, "login": login}
    response = _render(request, "login.html", context, status=status)
    sessions.set_cookie(response, request, session)
    return response


async def login_submit(request: Request) -> Response:
    runtime = _runtime(request)
    form = await _form(request)
    login = str(form.get("user") or "").strip()
    password = str(form.get("password") or "")
    target = _local_target(str(form.get("redirect_url") or ""))
    session = await sessions.current_or_new(runtime, request)
    if not _token_matches(session, form.get("requesttoken")):
        # An expired form or a cross-site post: show a fresh form rather than an error page.
        return _login_page(request, session, target, error="Your session expired. Please try again.", status=412)
    try:
        new_session = await sessions.log_in(runtime, request, login, password)
    except DomainError as error:
        message = "Too many failed attempts. Please try again later."
        return _login_page(request, session, target, error=message, login=login, status=error.status)
    if new_session is None:
        return _login_page(request, session, target, error="Wrong login or password.", login=login, status=401)
    response = RedirectResponse(target, status_code=303)
    sessions.set_cookie(response, request, new_session)
    return response


def _token_matches(session: HttpSession, sent: object) -> bool:
    return isinstance(sent, str) and bool(sent) and hmac.compare_digest(sent, session.csrf_token)


async def logout(request: Request) -> Response:
    runtime = _runtime(request)
    form = await _form(request)
    identity = await authenticate(runtime, request)
    if identity.session is None or not _token_matches(identity.session, form.get("requesttoken")):
        # Not from our page: a cross-site form must not be able to log anyone out.
        return RedirectResponse("/", status_code=303)
    await sessions.log_out(runtime, request)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def _chat_page(request: Request, token: str | None) -> Response:
    runtime = _runtime(request)
    identity = await authenticate(runtime, request)
    user = identity.user
    if user is None and token is None:
        return RedirectResponse("/login?redirect_url=" + quote(request.url.path, safe="/"), status_code=303)
    session = identity.session if identity.session is not None else await sessions.current_or_new(runtime, request)
    service = await _external_call(runtime)
    config = {
        "mode": "user" if user else "guest",
        "user": {"id": user.uid, "displayName": user.display_name} if user else None,
        "requestToken": session.csrf_token,
        "token": token,
        "frameOrigins": list(service.frame_origins),
    }
    is_admin = False
    if user is not None:
        async with runtime.db.read() as conn:
            is_admin = await users.is_admin(conn, user.uid)
    context = {
        "config_json": json.dumps(config),
        "user": user,
        "request_token": session.csrf_token,
        "is_admin": is_admin,
    }
    response = _render(request, "app.html", context, service=service)
    sessions.set_cookie(response, request, session)
    return response


async def app_page(request: Request) -> Response:
    return await _chat_page(request, None)


async def conversation_link(request: Request) -> Response:
    """``/call/{token}`` as in Talk: the conversation for users, the guest entry for everyone else."""
    token = request.path_params["token"]
    if not _valid_token(token):
        return await not_found(request)
    return await _chat_page(request, token)


def _valid_token(token: str) -> bool:
    return 0 < len(token) <= 64 and all(c in _TOKEN_CHARS for c in token)


async def talk_icon(request: Request) -> Response:
    """Talk's app icon, which notifications name as theirs (``icon``)."""
    return FileResponse(HERE / "static" / "app-dark.svg", media_type="image/svg+xml")


async def not_found(request: Request) -> Response:
    return _render(request, "not_found.html", {}, status=404)


routes: list[BaseRoute] = [
    Route("/", index, methods=["GET"]),
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login_submit, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/apps/spreed", app_page, methods=["GET"]),
    Route("/apps/spreed/", app_page, methods=["GET"]),
    Route("/call/{token}", conversation_link, methods=["GET"]),
    Route("/apps/spreed/img/app-dark.svg", talk_icon, methods=["GET"]),
    Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
]
