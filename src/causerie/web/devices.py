"""The "Devices & sessions" page: a user's app passwords, made for the Talk apps (with a QR code
they scan), renamed and revoked. Plain forms with the session's request token; no script."""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from causerie.http.auth import authenticate
from causerie.http.proxies import public_base_url
from causerie.services.accounts import app_passwords
from causerie.services.accounts.users import User
from causerie.services.errors import DomainError, NotFound
from causerie.web import sessions
from causerie.web.pages import _form, _render, _runtime, _token_matches

PAGE = "/settings/user/security"


def qr_data_url(text: str) -> str:
    """A QR code of ``text`` as an SVG data URL: an image the page shows under its CSP, whose
    markup never mixes with the page's own."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def login_link(uid: str, secret: str, server: str, *, onetime: bool = False) -> str:
    """The app's QR link in the order iOS requires (user, password, server). The values are raw:
    iOS does not URL-decode them, and login names and app passwords hold nothing that needs it."""
    host = "onetime-login" if onetime else "login"
    return f"nc://{host}/user:{uid}&password:{secret}&server:{server}"


async def _user_and_session(request: Request) -> tuple[User | None, Any]:
    runtime = _runtime(request)
    identity = await authenticate(runtime, request)
    if identity.method != "session" or identity.user is None or identity.session is None:
        return None, None
    return identity.user, identity.session


def _to_login(request: Request) -> Response:
    return RedirectResponse(f"/login?redirect_url={PAGE}", status_code=303)


async def _page(request: Request, user: User, session: Any, **shown: Any) -> Response:
    async with _runtime(request).db.read() as conn:
        found = await app_passwords.listing(conn, user.uid)
    context = {
        "user": user,
        "request_token": session.csrf_token,
        "app_passwords": found,
        "server": public_base_url(request, _runtime(request).settings.public_url),
        "created": None,
        "error": "",
        **shown,
    }
    response = _render(request, "devices.html", context, status=400 if shown.get("error") else 200)
    sessions.set_cookie(response, request, session)
    return response


async def devices_page(request: Request) -> Response:
    user, session = await _user_and_session(request)
    if user is None:
        return _to_login(request)
    return await _page(request, user, session)


async def _checked_form(request: Request) -> tuple[User | None, Any, dict[str, Any]]:
    user, session = await _user_and_session(request)
    form = await _form(request)
    if user is None or not _token_matches(session, form.get("requesttoken")):
        return None, None, form
    return user, session, form


async def create(request: Request) -> Response:
    user, session, form = await _checked_form(request)
    if user is None:
        return _to_login(request)
    runtime = _runtime(request)
    server = public_base_url(request, runtime.settings.public_url)
    onetime = form.get("kind") == "onetime"
    try:
        async with runtime.db.write() as conn:
            if onetime:
                secret = await app_passwords.create_onetime(conn, user.uid)
            else:
                _, secret = await app_passwords.create(conn, user.uid, str(form.get("name") or ""))
    except DomainError as error:
        return await _page(request, user, session, error=error.message or "A name of 1 to 255 characters is needed.")
    link = login_link(user.uid, secret, server, onetime=onetime)
    created = {
        "name": "One-time login" if onetime else str(form.get("name") or "").strip(),
        "login": user.uid,
        "password": None if onetime else secret,
        "link": link,
        "qr": qr_data_url(link),
        "onetime": onetime,
        "lifetime_minutes": app_passwords.ONETIME_LIFETIME_S // 60,
    }
    return await _page(request, user, session, created=created)


def _password_id(request: Request) -> int:
    """The id in the path; anything but a short decimal number names no app password."""
    raw = str(request.path_params["id"])
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise NotFound("id", "No such app password")
    return int(raw)


async def rename(request: Request) -> Response:
    user, _, form = await _checked_form(request)
    if user is None:
        return _to_login(request)
    try:
        async with _runtime(request).db.write() as conn:
            await app_passwords.rename(conn, user.uid, _password_id(request), str(form.get("name") or ""))
    except DomainError:
        pass  # an empty name or a password revoked meanwhile: the list shows what is
    return RedirectResponse(PAGE, status_code=303)


async def revoke(request: Request) -> Response:
    user, _, _ = await _checked_form(request)
    if user is None:
        return _to_login(request)
    try:
        async with _runtime(request).db.write() as conn:
            await app_passwords.revoke(conn, user.uid, _password_id(request))
    except DomainError:
        pass
    return RedirectResponse(PAGE, status_code=303)


routes: list[BaseRoute] = [
    Route(PAGE, devices_page, methods=["GET"]),
    Route(f"{PAGE}/app-passwords", create, methods=["POST"]),
    Route(PAGE + "/app-passwords/{id}/rename", rename, methods=["POST"]),
    Route(PAGE + "/app-passwords/{id}/revoke", revoke, methods=["POST"]),
]
