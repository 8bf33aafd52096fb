"""Nextcloud's AvatarController and GuestAvatarController: users' and guests' pictures, as every
Talk app loads them (``/index.php/avatar/{user}/{size}[/dark]``), and a user's own upload and
removal (``POST`` / ``DELETE /index.php/avatar/``). Plain images and JSON, not OCS."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from causerie.http import multipart
from causerie.http.auth import NOT_LOGGED_IN
from causerie.http.params import read_body
from causerie.services.avatars import images
from causerie.services.avatars import users as avatars
from causerie.services.avatars.users import Served
from causerie.services.errors import DomainError, PayloadTooLarge
from causerie.web.files.davauth import identify, passes_csrf, runtime_of

# Nextcloud: a day; thirty days for a URL that names the version (``?v=``).
CACHE = "private, max-age=86400, immutable"
CACHE_VERSIONED = "private, max-age=2592000, immutable"
GUEST_CACHE = "private, max-age=1800, immutable"


def _size(request: Request) -> int:
    """The size as PHP casts the route's string to int: leading digits, 0 without any."""
    raw = request.path_params["size"]
    digits = raw[1:] if raw.startswith("-") else raw
    end = len(digits) - len(digits.lstrip("0123456789"))
    if end == 0:
        return 0
    return 1_000 if end > 4 else int(digits[:end]) * (-1 if raw.startswith("-") else 1)


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "yes", "on")


def _image(request: Request, served: Served, cache: str, status: int = 200) -> Response:
    headers = {
        "Cache-Control": cache,
        "ETag": f'"{served.etag}"',
        "X-NC-IsCustomAvatar": "1" if served.custom else "0",
    }
    if request.headers.get("if-none-match", "").strip() in (f'"{served.etag}"', served.etag, f'W/"{served.etag}"'):
        return Response(status_code=304, headers=headers)
    return Response(served.data, status_code=status, media_type=served.mime, headers=headers)


async def _guest(request: Request, name: str, dark: bool) -> Response:
    served = await avatars.guest_avatar(name, _size(request), dark)
    # Nextcloud answers a generated guest avatar with 201.
    return _image(request, served, GUEST_CACHE, status=200 if served.custom else 201)


async def _user(request: Request, dark: bool) -> Response:
    uid = request.path_params["userId"]
    size = _size(request)
    served = await avatars.user_avatar(runtime_of(request).db, uid, size, dark)
    if served is None:
        if _truthy(request.query_params.get("guestFallback")):
            return await _guest(request, uid, dark)
        return JSONResponse([], status_code=404)
    return _image(request, served, CACHE_VERSIONED if request.query_params.get("v") else CACHE)


async def user_avatar(request: Request) -> Response:
    return await _user(request, dark=False)


async def user_avatar_dark(request: Request) -> Response:
    return await _user(request, dark=True)


async def guest_avatar(request: Request) -> Response:
    return await _guest(request, request.path_params["guestName"], _truthy(request.query_params.get("darkTheme")))


async def guest_avatar_dark(request: Request) -> Response:
    return await _guest(request, request.path_params["guestName"], dark=True)


def _refusal(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"data": {"message": message}}, status_code=status)


Own = Callable[[Request, str], Awaitable[Response]]


def _own(handler: Own) -> Callable[[Request], Awaitable[Response]]:
    """The logged-in user's own avatar; a browser session must send its request token."""

    async def endpoint(request: Request) -> Response:
        try:
            identity = await identify(request)
        except DomainError:
            return JSONResponse({"message": NOT_LOGGED_IN}, status_code=401)
        if identity.user is None:
            return JSONResponse({"message": NOT_LOGGED_IN}, status_code=401)
        if not passes_csrf(request, identity):
            return JSONResponse({"message": "CSRF check failed"}, status_code=412)
        return await handler(request, identity.user.uid)

    endpoint.__name__ = handler.__name__
    return endpoint


async def upload(request: Request, uid: str) -> Response:
    try:
        body = await read_body(request, images.MAX_UPLOAD_BYTES + 64 * 1024)
    except PayloadTooLarge:
        return _refusal("File is too big")
    parts = multipart.parse(request.headers.get("content-type", ""), body)
    part = multipart.first_file(parts, "files[]", "files", "files[0]")
    if part is None:
        return _refusal("No image or file provided")
    try:
        await avatars.upload(runtime_of(request).db, uid, part.data, int(time.time()))
    except images.InvalidImage as refused:
        return _refusal(refused.message)
    return JSONResponse({"status": "success"})


async def remove(request: Request, uid: str) -> Response:
    async with runtime_of(request).db.write() as conn:
        await avatars.remove(conn, uid)
    return JSONResponse([])


routes: list[BaseRoute] = []
for prefix in ("", "/index.php"):
    routes += [
        Route(prefix + "/avatar/guest/{guestName}/{size}", guest_avatar, methods=["GET"]),
        Route(prefix + "/avatar/guest/{guestName}/{size}/dark", guest_avatar_dark, methods=["GET"]),
        Route(prefix + "/avatar/{userId}/{size}", user_avatar, methods=["GET"]),
        Route(prefix + "/avatar/{userId}/{size}/dark", user_avatar_dark, methods=["GET"]),
        Route(prefix + "/avatar/", _own(upload), methods=["POST"]),
        Route(prefix + "/avatar", _own(upload), methods=["POST"]),
        Route(prefix + "/avatar/", _own(remove), methods=["DELETE"]),
        Route(prefix + "/avatar", _own(remove), methods=["DELETE"]),
    ]
