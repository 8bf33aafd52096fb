"""Browser sessions for pages: the cookie, the request token a page embeds, login and logout."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from causerie.http.auth import LOGIN_ACTION, SESSION_COOKIE, client_ip, load_session
from causerie.runtime import Runtime
from causerie.services.accounts import sessions, users
from causerie.services.accounts.sessions import HttpSession
from causerie.services.accounts.users import User


def set_cookie(response: Response, request: Request, session: HttpSession) -> None:
    if session.new_cookie is None:
        return
    response.set_cookie(
        SESSION_COOKIE,
        session.new_cookie,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


async def current_or_new(runtime: Runtime, request: Request) -> HttpSession:
    """The caller's session; a fresh anonymous one (sent as a cookie) when there is none.

    Anonymous sessions exist so that the login form and guest pages have a request token."""
    session = await load_session(runtime, request)
    return session if session is not None else await sessions.create(runtime.db, None)


async def log_in(runtime: Runtime, request: Request, login: str, password: str) -> HttpSession | None:
    """A new session for the user these credentials belong to, or None (a counted ``login`` attempt).

    Raises TooManyRequests when the address is blocked. The new session replaces the anonymous one
    the form was served with, so a session id known before the login is worthless after it."""
    user = await check_login(runtime, request, login, password)
    if user is None:
        return None
    await log_out(runtime, request)
    session = await sessions.create(runtime.db, user.uid)
    async with runtime.db.write() as conn:
        await users.record_login(conn, user.uid)
    return session


async def check_login(runtime: Runtime, request: Request, login: str, password: str) -> User | None:
    """The user of a login and password typed into a page, or None (a counted ``login`` attempt).
    An app password is not accepted: a device's password must not open a web login or, through a
    login flow's grant page, mint further app passwords (``core/getapppassword`` refuses it too).

    Throttled as every password check: one at a time per address, after the delay its wrong
    attempts earned; raises TooManyRequests when the address is blocked."""
    ip = client_ip(request)
    user: User | None = None
    async with runtime.throttler.guard(ip, [LOGIN_ACTION]):
        if login and password and len(login) <= 64 and len(password) <= 1024:
            async with runtime.db.read() as conn:
                user = await runtime.passwords.check(conn, login, password, app_passwords=False)
        if user is None:
            await runtime.throttler.register_attempt(ip, LOGIN_ACTION, {"user": login[:64]})
    return user


async def log_out(runtime: Runtime, request: Request) -> None:
    old = await load_session(runtime, request)
    if old is not None:
        await sessions.delete(runtime.db, old)
