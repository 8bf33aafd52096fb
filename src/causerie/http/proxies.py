"""Requests that reach Causerie through a reverse proxy the operator trusts.

Like Nextcloud's ``trusted_proxies``: only when the connecting peer is one of
``CAUSERIE_TRUSTED_PROXIES`` are its ``X-Forwarded-For`` (the client address that brute-force
throttling counts), ``X-Forwarded-Proto`` and ``X-Forwarded-Host`` (the public URL that links and
login flows hand to clients) believed. Anyone else could forge them, so from any other peer they
are ignored.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# A host name or address with an optional port; anything else in a forwarded host is refused.
_HOST_RE = re.compile(r"^(?:[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")


def parse_networks(entries: Iterable[str]) -> list[Network]:
    """The trusted proxies as networks; a plain address is a network of one. Raises ValueError."""
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()]


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


class TrustedProxies:
    """ASGI middleware: a trusted peer's forwarded client, scheme and host replace its own."""

    def __init__(self, app: ASGIApp, trusted: Iterable[str]) -> None:
        self.app = app
        self.networks = parse_networks(trusted)

    def trusts(self, host: str) -> bool:
        address = _address(host)
        return address is not None and any(address in network for network in self.networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.networks:
            client = scope.get("client")
            if client and self.trusts(client[0]):
                scope = self._forwarded(scope)
        await self.app(scope, receive, send)

    def _forwarded(self, scope: Scope) -> Scope:
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers", []))
        values: dict[bytes, str] = {}
        for name, value in headers:
            if name in (b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host", b"x-forwarded-ssl"):
                # Repeated headers are one comma-separated list, as HTTP defines.
                previous = values.get(name)
                text = value.decode("latin-1")
                values[name] = text if previous is None else f"{previous},{text}"
        scope = dict(scope)
        forwarded_for = values.get(b"x-forwarded-for")
        if forwarded_for:
            client = self._client(forwarded_for)
            if client is not None:
                scope["client"] = (client, 0)
        proto = (values.get(b"x-forwarded-proto") or "").split(",")[0].strip().lower()
        if not proto and (values.get(b"x-forwarded-ssl") or "").strip().lower() == "on":
            proto = "https"  # as Nextcloud reads a proxy that sends only X-Forwarded-Ssl
        if proto in ("http", "https"):
            scope["scheme"] = proto if scope["type"] == "http" else {"http": "ws", "https": "wss"}[proto]
        host = (values.get(b"x-forwarded-host") or "").split(",")[-1].strip()
        if host and _HOST_RE.match(host):
            scope["headers"] = [(n, v) for n, v in headers if n != b"host"] + [(b"host", host.encode("ascii"))]
        return scope

    def _client(self, forwarded_for: str) -> str | None:
        """The nearest address that is not a trusted proxy (each proxy appends the peer it saw)."""
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                return None
            if not any(address in network for network in self.networks):
                return str(address)
        return str(_address(hops[0])) if hops else None


def public_base_url(request: Request, public_url: str | None) -> str:
    """The server's public base URL without a trailing slash: the configured one, else as the
    client (or the trusted proxy in front) reached this server."""
    if public_url:
        return public_url.rstrip("/")
    scope = request.scope
    host = request.headers.get("host")
    if not host:
        server = scope.get("server") or ("localhost", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}".rstrip("/")
