"""Security headers on every response (the request log line is in http/metrics.py)."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from causerie.runtime import Runtime
from causerie.services.calls.external_call import ServiceConfig
from causerie.services.config.appconfig import AppConfig
from causerie.services.config.talk_config import APP

# API responses are data, never a page: nothing may load from them or frame them.
API_CSP = "default-src 'none';base-uri 'none';manifest-src 'self';frame-ancestors 'none'"


def page_csp(frame_origins: Iterable[str] = (), connect_origins: Iterable[str] = ()) -> str:
    """The Content-Security-Policy of an HTML page; the external call service widens frame-src."""
    frames = " ".join(["'self'", *frame_origins]) if frame_origins else "'none'"
    connect = " ".join(["'self'", *connect_origins])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' blob:; "
        f"connect-src {connect}; frame-src {frames}; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
    )


def permissions_policy(frame_origins: Iterable[str] = ()) -> str:
    """Camera and microphone for the page itself and the configured call service origins only."""
    allowed = " ".join(["self", *(f'"{o}"' for o in frame_origins)])
    return (
        f"camera=({allowed}), microphone=({allowed}), display-capture=(self), fullscreen=(self), "
        "geolocation=(), payment=(), usb=()"
    )


def external_call_page_headers(service: ServiceConfig) -> dict[str, str]:
    """The CSP and Permissions-Policy of a page that may host the external call iframe.

    Every configured frame origin may be framed and may use camera and microphone; the service URL's
    origin may be fetched (as Talk adds it to connect-src). Nothing else is opened up.
    """
    connect = [service.service_origin] if service.service_origin else []
    return {
        "Content-Security-Policy": page_csp(service.frame_origins, connect),
        "Permissions-Policy": permissions_policy(service.frame_origins),
    }


async def page_headers(runtime: Runtime) -> dict[str, str]:
    """``external_call_page_headers`` for the configuration as it is now (occ changes apply at once)."""
    async with runtime.db.read() as conn:
        config = await AppConfig.load(conn, APP)
    return external_call_page_headers(ServiceConfig.from_config(config))


# Added to every response that does not set them itself (pages set their own CSP).
_DEFAULTS = tuple(
    (name.encode(), value.encode())
    for name, value in (
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "SAMEORIGIN"),
        ("x-robots-tag", "noindex, nofollow"),
        ("content-security-policy", API_CSP),
    )
)


def with_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with the defaults it does not set itself."""
    present = {name.lower() for name, _ in headers}
    headers.extend(pair for pair in _DEFAULTS if pair[0] not in present)
    return headers


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_security_headers(list(message.get("headers", ())))
            await send(message)

        await self.app(scope, receive, send_with_headers)
