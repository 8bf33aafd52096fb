"""``Api``: how Talk endpoints are declared and run.

Each endpoint is an async function taking a ``Ctx`` (merged, typed parameters; the caller; the
runtime) and returning data (or a ``Reply``). It is mounted under both ``/ocs/v1.php`` and
``/ocs/v2.php``; the wrapper does CSRF, authentication, brute-force delays and the OCS envelope, and
turns domain errors into Talk's statuses.
"""

from __future__ import annotations

import contextlib
import enum
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.convertors import IntegerConvertor
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from causerie.http import ocs
from causerie.http.auth import NOT_LOGGED_IN, SESSION_COOKIE, Identity, authenticate, client_ip, passes_csrf
from causerie.http.middleware import with_security_headers
from causerie.http.params import MAX_BODY_BYTES, PHP_INT_CONVERTOR, Params, merge, parse_body, php_pairs, read_body
from causerie.http.request import OcsRequest
from causerie.runtime import Runtime
from causerie.services.accounts import sessions, users
from causerie.services.accounts.sessions import HttpSession
from causerie.services.accounts.users import Account, User
from causerie.services.errors import DomainError, Unauthorized
from causerie.storage.db import Conn

log = logging.getLogger("causerie.http")


class Auth(enum.Enum):
    USER = "user"  # a logged-in user (Basic, Bearer or browser session)
    PUBLIC = "public"  # anyone; guests are identified by their cookie session
    NONE = "none"  # no user resolution (checksummed backends); CSRF still applies
    # The endpoint reads the Authorization header itself (a one-time token that logs in nowhere
    # else). No CSRF check: a cross-site form cannot set that header.
    CREDENTIALS = "credentials"


@dataclass
class Reply:
    data: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    # Shared by replies with the same data (one chat page for many polls): encoded once.
    bodies: ocs.Bodies | None = None


@dataclass
class Ctx:
    request: Request
    runtime: Runtime
    params: Params
    identity: Identity
    ip: str
    ocs_version: int
    headers: dict[str, str] = field(default_factory=dict)
    slept_ms: int = 0
    _attempts: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    @property
    def user(self) -> User | None:
        return self.identity.user

    @property
    def require_user(self) -> User:
        if self.identity.user is None:
            raise Unauthorized(message=NOT_LOGGED_IN)
        return self.identity.user

    @property
    def base_url(self) -> str:
        """The request's base URL, as Starlette's ``request.base_url`` gives it (without building
        and parsing URL objects: a send asks for it)."""
        scope = self.request.scope
        host = self.request.headers.get("host")
        if not host:
            server = scope.get("server") or ("localhost", 80)
            host = f"{server[0]}:{server[1]}"
        return f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}/"

    @property
    def session(self) -> HttpSession | None:
        return self.identity.session

    async def confirm_credentials(self, conn: Conn) -> None:
        """Confirm remembered credentials inside the endpoint's transaction (``confirms_credentials``
        endpoints call this, or ``room_access.load``, before anything else in it): 401 when the user
        is gone or its password changed since."""
        pending = self.identity.pending
        if pending is not None:
            self.confirm_account(await users.account(conn, pending.user.uid))

    def confirm_account(self, stored: Account | None) -> None:
        """``confirm_credentials`` with the user's row read already (``stored``; None: no such user)."""
        pending = self.identity.pending
        if pending is None:
            return
        user = self.runtime.passwords.confirm(pending, stored)
        if user is None:
            raise Unauthorized(message=NOT_LOGGED_IN, data=[])
        self.identity.user, self.identity.pending = user, None

    async def ensure_session(self) -> HttpSession:
        """The caller's cookie session, created (and its cookie sent) when there is none."""
        if self.identity.session is None:
            self.identity.session = await sessions.create(self.runtime.db, None)
        return self.identity.session

    def throttle(self, action: str, metadata: dict[str, str] | None = None) -> None:
        """Count a failed attempt for ``action`` once the handler is done (Talk's ``->throttle()``)."""
        self._attempts.append((action, metadata or {}))

    async def finish(self) -> None:
        """Store the session and count attempts; like Nextcloud, sleep again after an attempt."""
        if self.identity.session is not None:
            await sessions.save(self.runtime.db, self.identity.session)
        attempts, self._attempts = self._attempts, []
        for action, metadata in attempts:
            await self.runtime.throttler.register_attempt(self.ip, action, metadata)
            self.slept_ms += await self.runtime.throttler.sleep_delay_or_throw(self.ip, action)


Handler = Callable[[Ctx], Awaitable[Any]]
# What answers an exception that is not a DomainError (the app's 500 and 503 pages).
ErrorHandler = Callable[[Request, Exception], Awaitable[Response]]


# Whether a caller of a throttled endpoint cannot be guessing anything (a participant of the
# conversation the path names already knows its token): such a request neither waits nor queues.
Exemption = Callable[["Ctx"], Awaitable[bool]]


@dataclass
class Endpoint:
    path: str
    methods: tuple[str, ...]
    handler: Handler
    auth: Auth
    # Brute-force actions, as Talk's controllers declare them: the request waits for the attempts of
    # its subnet first, and only these actions count an attempt when the endpoint fails.
    throttle: tuple[str, ...]
    # The handler confirms remembered Basic credentials first thing in its transaction, through
    # ``room_access.load`` (whose statement reads the user's row with the room) or
    # ``ctx.confirm_credentials(conn)``: they need no read of their own (chat sends and polls).
    confirms_credentials: bool = False
    exempt: Exemption | None = None
    # Uploads (pictures) take larger bodies than the OCS parameters' cap.
    max_body: int = MAX_BODY_BYTES


class Api:
    """A group of endpoints, usually one per Talk controller."""

    def __init__(self) -> None:
        self.endpoints: list[Endpoint] = []

    def route(
        self,
        path: str,
        methods: Sequence[str],
        *,
        auth: Auth = Auth.USER,
        throttle: Sequence[str] = (),
        confirms_credentials: bool = False,
        exempt: Exemption | None = None,
        max_body: int = MAX_BODY_BYTES,
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            endpoint = Endpoint(
                path, tuple(methods), handler, auth, tuple(throttle), confirms_credentials, exempt, max_body
            )
            self.endpoints.append(endpoint)
            return handler

        return register

    def get(self, path: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.route(path, ["GET"], **kw)

    def post(self, path: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.route(path, ["POST"], **kw)

    def put(self, path: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.route(path, ["PUT"], **kw)

    def delete(self, path: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self.route(path, ["DELETE"], **kw)


async def _exempt(endpoint: Endpoint, ctx: Ctx) -> bool:
    """Asked only when the request would wait (attempts of its subnet to sleep for, or requests of
    its subnet ahead of it in the queue): otherwise the queue costs nothing."""
    if endpoint.exempt is None:
        return False
    throttler = ctx.runtime.throttler
    for action in endpoint.throttle:
        if throttler.queued(ctx.ip, action) or await throttler.delay_ms(ctx.ip, action):
            return await endpoint.exempt(ctx)
    return False


def attempt_metadata(ctx: Ctx, action: str) -> dict[str, str]:
    """What is stored with an attempt: the conversation's token, as Talk stores it, so that a
    successful join can forget the attempts against that one token only (``Throttler.reset``)."""
    token = ctx.params.raw("token")
    return {"token": token, "action": action} if isinstance(token, str) else {}


def _form_like(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return request.method == "GET" or content_type.startswith("application/x-www-form-urlencoded")


def _throttle_header(headers: dict[str, str], slept_ms: int) -> None:
    if slept_ms > 0:
        headers["X-Nextcloud-Bruteforce-Throttled"] = f"{slept_ms}ms"


def _set_session_cookie(response: Response, ctx: Ctx | None, request: Request) -> None:
    if ctx is None or ctx.identity.session is None or ctx.identity.session.new_cookie is None:
        return
    response.set_cookie(
        SESSION_COOKIE,
        ctx.identity.session.new_cookie,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


class OcsHandler:
    """One endpoint under one OCS version, as an ASGI app: Talk's request handling around the
    endpoint's function, and the answer sent with the security headers."""

    def __init__(self, endpoint: Endpoint, version: int, on_error: ErrorHandler) -> None:
        self.endpoint = endpoint
        self.version = version
        self.on_error = on_error
        self.__name__ = endpoint.handler.__name__

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = OcsRequest(scope, receive)
        try:
            response = await self.respond(request)
        except ClientDisconnect:
            return  # nobody left to answer
        except Exception as error:
            # Not a domain error: a bug or an overloaded database (the app's error handlers).
            response = await self.on_error(request, error)
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": with_security_headers(response.raw_headers),
            }
        )
        await send({"type": "http.response.body", "body": response.body})

    async def respond(self, request: Request) -> Response:
        endpoint, version = self.endpoint, self.version
        runtime: Runtime = request.app.state.runtime
        query = php_pairs(request.query_params.multi_items()) if request.scope["query_string"] else {}
        as_json = ocs.wants_json(request, query.get("format"))
        ctx: Ctx | None = None
        headers: dict[str, str] = {}
        message = ""
        bodies: ocs.Bodies | None = None
        raw: Response | None = None
        try:
            body = parse_body(request.headers.get("content-type", ""), await read_body(request, endpoint.max_body))
            values = merge(query, body, request.path_params)
            as_json = ocs.wants_json(request, values.get("format"))
            if endpoint.auth is Auth.CREDENTIALS:
                identity = Identity(user=None, session=None, method="anonymous")
            else:
                identity = await authenticate(runtime, request, defer=endpoint.confirms_credentials)
                if not passes_csrf(request, identity, values.get("requesttoken")):
                    return ocs.csrf_failure()
            if endpoint.auth is Auth.USER and identity.user is None:
                raise Unauthorized(message=NOT_LOGGED_IN)
            ctx = Ctx(
                request=request,
                runtime=runtime,
                params=Params(values, form_like=_form_like(request)),
                identity=identity,
                ip=client_ip(request),
                ocs_version=version,
            )
        except DomainError as error:
            status, data, message = error.status, error.data, error.message
            if error.throttle:  # wrong credentials (``login``), counted by every endpoint
                await runtime.throttler.register_attempt(client_ip(request), error.throttle, {})
        else:
            async with contextlib.AsyncExitStack() as stack:
                try:
                    if endpoint.throttle and not await _exempt(endpoint, ctx):
                        ctx.slept_ms += await stack.enter_async_context(
                            runtime.throttler.guard(ctx.ip, endpoint.throttle)
                        )
                    result = await endpoint.handler(ctx)
                    if identity.pending is not None:
                        # A handler that declared it would confirm the credentials and did not: a bug.
                        raise RuntimeError(f"{endpoint.handler.__name__} did not confirm the credentials")
                    if isinstance(result, Response):
                        # Not everything under /ocs is OCS: Talk serves conversation pictures there.
                        raw = result
                        result = Reply(None, status=result.status_code)
                    reply = result if isinstance(result, Reply) else Reply(result)
                    status, data, bodies = reply.status, reply.data, reply.bodies
                    headers.update(reply.headers)
                except DomainError as error:
                    status, data, message = error.status, error.data, error.message
                    # As Nextcloud's middleware: a failure counts only for the actions the endpoint declares.
                    if error.throttle in endpoint.throttle:
                        ctx.throttle(error.throttle, attempt_metadata(ctx, error.throttle))
                try:
                    await ctx.finish()
                except DomainError as error:
                    status, data, message = error.status, error.data, error.message
            headers.update(ctx.headers)
            _throttle_header(headers, ctx.slept_ms)
            if raw is not None and status == raw.status_code:
                raw.headers.update(headers)
                _set_session_cookie(raw, ctx, request)
                return raw
        response = ocs.render(
            version=version, as_json=as_json, status=status, data=data, message=message, headers=headers, bodies=bodies
        )
        _set_session_cookie(response, ctx, request)
        return response


def _route(endpoint: Endpoint, version: int, on_error: ErrorHandler) -> Route:
    route = Route(
        f"/ocs/v{version}.php{endpoint.path}", OcsHandler(endpoint, version, on_error), methods=list(endpoint.methods)
    )
    # Both the dispatcher and Starlette's router convert path parameters with these.
    route.param_convertors = {
        name: PHP_INT_CONVERTOR if isinstance(convertor, IntegerConvertor) else convertor
        for name, convertor in route.param_convertors.items()
    }
    return route


def routes(apis: Sequence[Api], on_error: ErrorHandler) -> list[Route]:
    """Every endpoint under both OCS versions, v2 first (current clients use it)."""
    return [_route(endpoint, version, on_error) for api in apis for endpoint in api.endpoints for version in (2, 1)]
