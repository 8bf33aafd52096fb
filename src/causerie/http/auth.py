"""Who is asking: HTTP Basic (password or app password), Bearer app password, or a browser session."""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass

from starlette.requests import Request

from causerie.runtime import Runtime
from causerie.services.accounts import app_passwords, sessions, users
from causerie.services.accounts.passwords import CachedLogin
from causerie.services.accounts.sessions import HttpSession
from causerie.services.accounts.users import User
from causerie.services.errors import Unauthorized

SESSION_COOKIE = "causerie_session"
LOGIN_ACTION = "login"
NOT_LOGGED_IN = "Current user is not logged in"


@dataclass
class Identity:
    user: User | None
    session: HttpSession | None
    method: str  # basic | bearer | session | anonymous
    # Remembered credentials whose user the endpoint confirms in its own transaction (``user`` is
    # the one remembered until then).
    pending: CachedLogin | None = None


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "0.0.0.0"


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """The login and password of an ``Authorization: Basic`` header."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return _basic_credentials(value.strip()) if scheme.lower() == "basic" else None


def bearer_token(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def _basic_credentials(header: str) -> tuple[str, str] | None:
    try:
        decoded = base64.b64decode(header.encode(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    login, sep, password = decoded.partition(":")
    return (login, password) if sep else None


async def load_session(runtime: Runtime, request: Request) -> HttpSession | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    return None if cookie is None else await sessions.load(runtime.db, cookie)


async def _session_for(runtime: Runtime, request: Request, user: User) -> HttpSession | None:
    """The cookie session a client with credentials keeps (Talk stores its room sessions there, as
    in the PHP session); never one that belongs to another user."""
    if SESSION_COOKIE not in request.cookies:
        return None
    session = await load_session(runtime, request)
    if session is None or session.uid not in (None, user.uid):
        return None
    return session


async def _check_password(runtime: Runtime, credentials: tuple[str, str] | None) -> User | None:
    if credentials is None:
        return None
    # One lookup when the credentials are remembered (the user's row confirms them).
    async with runtime.db.read(snapshot=False) as conn:
        user = await runtime.passwords.check(conn, *credentials)
    await _record_app_password_use(runtime)
    return user


async def _record_app_password_use(runtime: Runtime) -> None:
    used = runtime.passwords.take_used()
    if used:
        async with runtime.db.write() as conn:
            await app_passwords.touch(conn, used)


async def authenticate(runtime: Runtime, request: Request, *, defer: bool = False) -> Identity:
    """Resolve the caller. Wrong credentials raise 401 and count a ``login`` attempt.

    ``defer``: Basic credentials checked before are not looked up here; the endpoint confirms them
    in its own transaction (``Ctx.confirm_credentials``), sparing a read of its own."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    ip = client_ip(request)
    if scheme == "basic":
        credentials = _basic_credentials(value.strip())
        cached = runtime.passwords.cached(*credentials) if credentials is not None else None
        if cached is None:
            # A password to verify: one at a time per address, each after the delay of the wrong ones.
            async with runtime.throttler.guard(ip, [LOGIN_ACTION]):
                user = await _check_password(runtime, credentials)
                if user is None:
                    metadata = {"user": credentials[0] if credentials else ""}
                    await runtime.throttler.register_attempt(ip, LOGIN_ACTION, metadata)
                    raise Unauthorized(message=NOT_LOGGED_IN, data=[])
        else:
            # Right when remembered; as in Nextcloud the address's wrong logins still delay it.
            await runtime.throttler.sleep_delay_or_throw(ip, LOGIN_ACTION)
            if defer:
                session = await _session_for(runtime, request, cached.user)
                return Identity(user=cached.user, session=session, method="basic", pending=cached)
            user = await _check_password(runtime, credentials)
            if user is None:
                raise Unauthorized(message=NOT_LOGGED_IN, data=[])
        return Identity(user=user, session=await _session_for(runtime, request, user), method="basic")
    if scheme == "bearer":
        await runtime.throttler.sleep_delay_or_throw(ip, LOGIN_ACTION)
        async with runtime.db.read() as conn:
            user = await runtime.passwords.check_app_password(conn, value.strip())
        await _record_app_password_use(runtime)
        if user is None:
            await runtime.throttler.register_attempt(ip, LOGIN_ACTION, {})
            raise Unauthorized(message=NOT_LOGGED_IN, data=[])
        return Identity(user=user, session=await _session_for(runtime, request, user), method="bearer")
    session = await load_session(runtime, request)
    if session is not None and session.uid is not None:
        async with runtime.db.read() as conn:
            found = await users.get(conn, session.uid)
        if found is not None and found.enabled:
            return Identity(user=found, session=session, method="session")
    return Identity(user=None, session=session, method="anonymous")


def passes_csrf(request: Request, identity: Identity, request_token: str | None) -> bool:
    """Nextcloud's rule for OCS: the OCS-APIRequest header, a Bearer token, or a valid request token."""
    if request.headers.get("ocs-apirequest", "").strip():
        return True
    if identity.method == "bearer":
        return True
    token = request.headers.get("requesttoken") or request_token
    return bool(token and identity.session is not None and hmac.compare_digest(token, identity.session.csrf_token))
