"""Forwarded headers: believed from the configured proxies only."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from causerie.http.proxies import TrustedProxies, public_base_url
from causerie.settings import Settings, SettingsError

FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "chat.example.org"}


async def _echo(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers what the application sees: the client, and the base URL links are made of."""
    request = Request(scope, receive)
    body = f"{scope['client'][0]} {public_base_url(request, None)}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})


def _seen(trusted: list[str], headers: dict[str, str], peer: str = "127.0.0.1") -> str:
    transport = httpx.ASGITransport(app=TrustedProxies(_echo, trusted), client=(peer, 40000))

    async def ask() -> str:
        async with httpx.AsyncClient(transport=transport, base_url="http://10.1.2.3:8080") as client:
            return (await client.get("/", headers=headers)).text

    return asyncio.run(ask())


def test_a_trusted_proxy_gives_the_client_address_scheme_and_host() -> None:
    assert _seen(["127.0.0.0/8"], FORWARDED) == "203.0.113.9 https://chat.example.org"


def test_an_untrusted_peer_cannot_forge_them() -> None:
    assert _seen(["192.0.2.1"], FORWARDED) == "127.0.0.1 http://10.1.2.3:8080"
    assert _seen([], FORWARDED) == "127.0.0.1 http://10.1.2.3:8080"


def test_the_client_is_the_nearest_hop_that_is_not_a_proxy() -> None:
    # A client may send its own X-Forwarded-For; the proxies append what they saw after it.
    headers = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9, 10.0.0.5"}
    assert _seen(["127.0.0.1", "10.0.0.0/8"], headers).split()[0] == "203.0.113.9"


def test_a_port_in_the_forwarded_host_is_kept_and_junk_is_refused() -> None:
    assert _seen(["127.0.0.1"], {"X-Forwarded-Host": "chat.example.org:8443"}).endswith("//chat.example.org:8443")
    junk = {"X-Forwarded-Host": "evil.example/path?x", "X-Forwarded-Proto": "gopher"}
    assert _seen(["127.0.0.1"], junk) == "127.0.0.1 http://10.1.2.3:8080"


def test_a_configured_public_url_wins() -> None:
    scope: dict[str, Any] = {"type": "http", "headers": [(b"host", b"internal:8080")], "scheme": "http"}
    assert public_base_url(Request(scope), "https://chat.example.org/") == "https://chat.example.org"


def test_a_trusted_proxy_that_is_not_an_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAUSERIE_TRUSTED_PROXIES", "127.0.0.1, proxy.local")
    with pytest.raises(SettingsError, match=r"proxy\.local"):
        Settings.from_env()
    monkeypatch.setenv("CAUSERIE_TRUSTED_PROXIES", " 10.0.0.0/8 ,::1")
    assert Settings.from_env().trusted_proxies == ("10.0.0.0/8", "::1")


def test_x_forwarded_ssl_on_means_https() -> None:
    assert _seen(["127.0.0.1"], {"X-Forwarded-Ssl": "on"}).endswith(" https://10.1.2.3:8080")
    assert _seen(["192.0.2.1"], {"X-Forwarded-Ssl": "on"}).endswith(" http://10.1.2.3:8080")
