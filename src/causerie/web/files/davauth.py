"""Who a WebDAV or file request comes from, authenticated as every other request (Basic, app
passwords, Bearer, or the browser session, which must send its request token to change anything),
and the Sabre-style answers for requests that fail."""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import Response

from causerie.http.auth import Identity, authenticate
from causerie.runtime import Runtime
from causerie.services.accounts.users import User
from causerie.services.errors import DomainError, Unauthorized
from causerie.web.files import davxml

_EXCEPTIONS = {
    400: "BadRequest", 401: "NotAuthenticated", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
    409: "Conflict", 412: "PreconditionFailed", 413: "RequestedEntityTooLarge", 415: "UnsupportedMediaType",
    423: "Locked", 429: "TooManyRequests", 501: "NotImplemented", 507: "InsufficientStorage",
}  # fmt: skip
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def dav_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    body = davxml.error(_EXCEPTIONS.get(status, "Exception"), message)
    return Response(body, status_code=status, media_type=davxml.XML_TYPE, headers=headers)


def from_domain(error: DomainError) -> Response:
    status = error.status if 400 <= error.status < 600 else 400
    headers = {"Retry-After": "1"} if status == 429 else None
    return dav_error(status, error.message or str(error), headers)


def _challenge(request: Request) -> dict[str, str]:
    # Browsers would pop up a login dialog for their own scripts' requests; Nextcloud leaves the
    # challenge out for them too.
    if request.headers.get("x-requested-with") == "XMLHttpRequest" or "cookie" in request.headers:
        return {}
    return {"WWW-Authenticate": 'Basic realm="Nextcloud", charset="UTF-8"'}


async def identify(request: Request) -> Identity:
    """The caller; ``Unauthorized`` for wrong credentials (a counted ``login`` attempt)."""
    return await authenticate(runtime_of(request), request)


def passes_csrf(request: Request, identity: Identity) -> bool:
    """A browser session changes files only with its request token (Nextcloud's DAV rule)."""
    if identity.method != "session" or request.method in SAFE_METHODS:
        return True
    token = request.headers.get("requesttoken", "")
    return bool(token and identity.session and hmac.compare_digest(token, identity.session.csrf_token))


async def require_user(request: Request) -> User | Response:
    """The logged-in user, or the 401 to answer."""
    try:
        identity = await identify(request)
    except DomainError as error:
        return dav_error(401, error.message or "Invalid credentials", _challenge(request))
    if identity.user is None:
        return dav_error(401, "No public access to this resource.", _challenge(request))
    if not passes_csrf(request, identity):
        return dav_error(401, "CSRF check not passed.")
    return identity.user


def not_logged_in() -> Unauthorized:
    return Unauthorized(message="Current user is not logged in")
