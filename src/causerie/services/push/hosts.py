"""Where pushes may go: push services on the internet, not the server's own network, unless the
administrator allows local addresses (``occ config:app:set core allow_local_remote_servers
--value true --type boolean``, Nextcloud's switch of that name), e.g. for a UnifiedPush
distributor on the local network."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

MAX_ENDPOINT_LENGTH = 765


def _local_ip(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _local_name(host: str) -> bool:
    host = host.rstrip(".").lower()
    return host == "localhost" or host.endswith((".localhost", ".local", ".internal"))


def valid_endpoint(endpoint: str, *, allow_local: bool) -> bool:
    """What Nextcloud's WebPushController checks: an https URL of reasonable length whose host is
    not obviously local (a name that resolves to a local address is refused when pushing)."""
    if len(endpoint) > MAX_ENDPOINT_LENGTH or not endpoint.startswith("https://"):
        return False
    try:
        parts = urlsplit(endpoint)
        _ = parts.port  # raises on a port that is not a number
    except ValueError:
        return False
    host = parts.hostname
    if not host or any(char.isspace() for char in endpoint):
        return False
    if allow_local:
        return True
    try:
        return not _local_ip(host)
    except ValueError:
        return not _local_name(host)


async def resolves_outside(endpoint: str, *, allow_local: bool) -> bool:
    """Whether every address the endpoint's host resolves to is one pushes may go to."""
    if allow_local:
        return True
    host = urlsplit(endpoint).hostname or ""
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, 443, type=socket.SOCK_STREAM)
    except OSError:
        return True  # the push itself fails then, and is tried again
    return not any(_local_ip(str(info[4][0])) for info in found)
