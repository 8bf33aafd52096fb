"""Login flows v1 and v2: the pages a client's browser walks through to grant it an app password,
and flow v2's plain JSON endpoints (Nextcloud's ClientFlowLoginController and …V2Controller).

Both flows meet on one grant page. A browser that is logged in grants with one button; one that
is not (the apps open an empty cookie jar) types the login and password there, checked and
throttled as on the login form, without opening a web login that would outlive the flow.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from causerie.http.auth import authenticate
from causerie.http.proxies import public_base_url
from causerie.services.accounts import app_passwords, login_flows
from causerie.services.accounts.sessions import HttpSession
from causerie.services.accounts.sessions import save as save_session
from causerie.services.accounts.users import User
from causerie.services.errors import DomainError
from causerie.web import sessions
from causerie.web.pages import _form, _render, _runtime, _token_matches

# Keys in the browser's session, as Nextcloud names them in its PHP session.
V1_STATE = "client.flow.state.token"
V1_CLIENT = "client.flow.client.name"
V2_LOGIN_TOKEN = "client.flow.v2.login.token"
V2_STATE = "client.flow.v2.state.token"

EXPIRED = "Your login token is invalid or has expired"


def _client_name(request: Request) -> str:
    return app_passwords.name_from_user_agent(request.headers.get("user-agent"))


def _server(request: Request) -> str:
    return public_base_url(request, _runtime(request).settings.public_url)


async def _browser(request: Request) -> tuple[HttpSession, User | None]:
    """The browser's session (made when it has none) and its logged-in user, if any."""
    runtime = _runtime(request)
    identity = await authenticate(runtime, request)
    if identity.method == "session" and identity.session is not None:
        return identity.session, identity.user
    return await sessions.current_or_new(runtime, request), None


async def _page(
    request: Request, session: HttpSession, context: dict[str, Any], *, status: int = 200, to_app: bool = False
) -> Response:
    await save_session(_runtime(request).db, session)
    response = _render(request, "login_flow.html", {"request_token": session.csrf_token, **context}, status=status)
    if to_app:
        # The grant form's answer redirects to the app's scheme; form-action governs that redirect.
        csp = response.headers["content-security-policy"]
        response.headers["content-security-policy"] = csp.replace("form-action 'self'", "form-action 'self' nc:")
    sessions.set_cookie(response, request, session)
    return response


async def _error(request: Request, session: HttpSession | None, title: str, message: str) -> Response:
    context = {"mode": "error", "title": title, "message": message, "request_token": ""}
    if session is None:
        return _render(request, "login_flow.html", context, status=403)
    return await _page(request, session, context, status=403)


def _matches(session: HttpSession, key: str, sent: object) -> bool:
    expected = session.data.get(key)
    return isinstance(expected, str) and isinstance(sent, str) and bool(sent) and hmac.compare_digest(expected, sent)


async def _granting_user(request: Request, user: User | None, form: dict[str, Any]) -> tuple[User | None, str, int]:
    """Who grants: the logged-in user, or the one whose login and password the form holds."""
    if user is not None:
        return user, "", 200
    login = str(form.get("user") or "").strip()
    try:
        checked = await sessions.check_login(_runtime(request), request, login, str(form.get("password") or ""))
    except DomainError as error:
        return None, "Too many failed attempts. Please try again later.", error.status
    if checked is None:
        return None, "Wrong login or password.", 401
    return checked, "", 200


def _grant_context(
    flow: str, client: str, state: str, user: User | None, *, login: str = "", error: str = ""
) -> dict[str, Any]:
    action = "/login/flow" if flow == "v1" else "/login/v2/grant"
    return {
        "mode": "grant",
        "client": client,
        "action": action,
        "state_token": state,
        "user": user,
        "login": login,
        "error": error,
    }


# --- flow v1 ---


async def v1_start(request: Request) -> Response:
    """``GET /login/flow``: only clients open it (with ``OCS-APIRequest: true``)."""
    if request.headers.get("ocs-apirequest", "").strip().lower() != "true":
        return await _error(request, None, "Access forbidden", "Invalid request")
    session, user = await _browser(request)
    state = login_flows.new_state_token()
    client = _client_name(request)
    session.set(V1_STATE, state)
    session.set(V1_CLIENT, client)
    query = {"stateToken": state, "user": request.query_params.get("user", "")}
    grant_url = "/login/flow/grant?" + urlencode(query)
    if request.query_params.get("direct") == "1":
        await save_session(_runtime(request).db, session)
        response: Response = RedirectResponse(grant_url, status_code=303)
        sessions.set_cookie(response, request, session)
        return response
    return await _page(request, session, {"mode": "connect", "client": client, "grant_url": grant_url, "user": user})


async def v1_grant_page(request: Request) -> Response:
    session, user = await _browser(request)
    state = request.query_params.get("stateToken", "")
    if not _matches(session, V1_STATE, state):
        return await _error(request, session, "Access forbidden", "State token does not match")
    client = str(session.data.get(V1_CLIENT) or "unknown")
    context = _grant_context("v1", client, state, user, login=request.query_params.get("user", ""))
    return await _page(request, session, context, to_app=True)


async def v1_grant(request: Request) -> Response:
    """``POST /login/flow``: the app password, handed to the client by a redirect to ``nc://``."""
    session, user = await _browser(request)
    form = await _form(request)
    state = form.get("stateToken")
    if not _token_matches(session, form.get("requesttoken")) or not _matches(session, V1_STATE, state):
        return await _error(request, session, "Access forbidden", "State token does not match")
    client = str(session.data.get(V1_CLIENT) or "unknown")
    granting, error, status = await _granting_user(request, user, form)
    if granting is None:
        context = _grant_context("v1", client, str(state), None, login=str(form.get("user") or ""), error=error)
        return await _page(request, session, context, status=status, to_app=True)
    async with _runtime(request).db.write() as conn:
        _, secret = await app_passwords.create(conn, granting.uid, _client_name(request))
    session.data.pop(V1_STATE, None)
    session.data.pop(V1_CLIENT, None)
    session.dirty = True
    await save_session(_runtime(request).db, session)
    location = login_flows.v1_redirect(_server(request), granting.uid, secret)
    # A server redirect: Desktop catches it in ``will-redirect``, iOS in its navigation policy.
    response = Response(status_code=303, headers={"location": location, "cache-control": "no-store"})
    sessions.set_cookie(response, request, session)
    return response


# --- flow v2 ---


async def v2_init(request: Request) -> Response:
    """``POST /login/v2``: a new flow; the client polls with one token, the browser opens the other."""
    server = _server(request)
    async with _runtime(request).db.write() as conn:
        started = await login_flows.start_v2(conn, _client_name(request), server)
    return JSONResponse(
        {
            "poll": {"token": started.poll_token, "endpoint": f"{server}/login/v2/poll"},
            "login": f"{server}/login/v2/flow/{started.login_token}",
        }
    )


async def v2_poll(request: Request) -> Response:
    """``POST /login/v2/poll``: 404 ``[]`` until granted, then the credentials exactly once."""
    form = await _form(request)
    token = form.get("token")
    if not isinstance(token, str):
        token = request.query_params.get("token", "")
    async with _runtime(request).db.write() as conn:
        credentials = await login_flows.poll_v2(conn, token)
    if credentials is None:
        return JSONResponse([], status_code=404)
    return JSONResponse(credentials.as_json(), headers={"cache-control": "no-store"})


async def v2_open(request: Request) -> Response:
    """``GET /login/v2/flow/{token}``: the browser takes the flow into its session."""
    token = request.path_params["token"]
    async with _runtime(request).db.write() as conn:
        flow = await login_flows.open_v2(conn, token, mark_started=True)
    if flow is None or flow.granted:
        return await _error(request, None, "Token expired", EXPIRED)
    session, _ = await _browser(request)
    session.set(V2_LOGIN_TOKEN, token)
    await save_session(_runtime(request).db, session)
    query = {key: request.query_params[key] for key in ("user", "direct") if key in request.query_params}
    response = RedirectResponse("/login/v2/flow" + ("?" + urlencode(query) if query else ""), status_code=303)
    sessions.set_cookie(response, request, session)
    return response


async def _v2_flow(request: Request, session: HttpSession) -> login_flows.Flow | None:
    token = session.data.get(V2_LOGIN_TOKEN)
    if not isinstance(token, str):
        return None
    async with _runtime(request).db.read() as conn:
        flow = await login_flows.open_v2(conn, token)
    return None if flow is None or flow.granted else flow


async def v2_connect_page(request: Request) -> Response:
    session, user = await _browser(request)
    flow = await _v2_flow(request, session)
    if flow is None:
        return await _error(request, session, "Token expired", EXPIRED)
    state = login_flows.new_state_token()
    session.set(V2_STATE, state)
    grant_url = "/login/v2/grant?" + urlencode({"stateToken": state, "user": request.query_params.get("user", "")})
    if request.query_params.get("direct") == "1":
        await save_session(_runtime(request).db, session)
        response: Response = RedirectResponse(grant_url, status_code=303)
        sessions.set_cookie(response, request, session)
        return response
    context = {"mode": "connect", "client": flow.client_name, "grant_url": grant_url, "user": user}
    return await _page(request, session, context)


async def v2_grant_page(request: Request) -> Response:
    session, user = await _browser(request)
    state = request.query_params.get("stateToken", "")
    if not _matches(session, V2_STATE, state):
        return await _error(request, session, "Access forbidden", "State token does not match")
    flow = await _v2_flow(request, session)
    if flow is None:
        return await _error(request, session, "Token expired", EXPIRED)
    context = _grant_context("v2", flow.client_name, state, user, login=request.query_params.get("user", ""))
    return await _page(request, session, context)


async def v2_grant(request: Request) -> Response:
    session, user = await _browser(request)
    form = await _form(request)
    state = form.get("stateToken")
    if not _token_matches(session, form.get("requesttoken")) or not _matches(session, V2_STATE, state):
        return await _error(request, session, "Access forbidden", "State token does not match")
    flow = await _v2_flow(request, session)
    if flow is None:
        return await _error(request, session, "Token expired", EXPIRED)
    granting, error, status = await _granting_user(request, user, form)
    if granting is None:
        context = _grant_context(
            "v2", flow.client_name, str(state), None, login=str(form.get("user") or ""), error=error
        )
        return await _page(request, session, context, status=status)
    async with _runtime(request).db.write() as conn:
        granted = await login_flows.grant_v2(conn, flow, granting.uid)
    session.data.pop(V2_STATE, None)
    session.data.pop(V2_LOGIN_TOKEN, None)
    session.dirty = True
    if not granted:
        return await _error(request, session, "Access forbidden", "Could not complete login")
    return await _page(request, session, {"mode": "done", "client": flow.client_name})


routes: list[BaseRoute] = [
    Route("/login/flow", v1_start, methods=["GET"]),
    Route("/login/flow", v1_grant, methods=["POST"]),
    Route("/login/flow/grant", v1_grant_page, methods=["GET"]),
    Route("/login/v2", v2_init, methods=["POST"]),
    Route("/login/v2/poll", v2_poll, methods=["POST"]),
    Route("/login/v2/flow", v2_connect_page, methods=["GET"]),
    Route("/login/v2/flow/{token}", v2_open, methods=["GET"]),
    Route("/login/v2/grant", v2_grant_page, methods=["GET"]),
    Route("/login/v2/grant", v2_grant, methods=["POST"]),
]
