"""Brokers carry pokes from the process that committed to every process's hub."""

from __future__ import annotations

from typing import Protocol

from causerie.events.hub import Hub


class Broker(Protocol):
    async def start(self) -> None: ...

    async def publish(self, key: str) -> None:
        """Announce that something under ``key`` changed; call after the commit."""

    async def healthy(self) -> bool:
        """Whether pokes reach the other processes now (for ``GET /health``)."""

    async def close(self) -> None: ...


class LocalBroker:
    """One process: a poke goes straight to the hub."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def start(self) -> None:
        return None

    async def publish(self, key: str) -> None:
        self.hub.wake(key)

    async def healthy(self) -> bool:
        return True

    async def close(self) -> None:
        return None


def create_broker(url: str | None, hub: Hub) -> Broker:
    if not url:
        return LocalBroker(hub)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from causerie.events.redis import RedisBroker

        return RedisBroker(url, hub)
    raise ValueError(f"unsupported broker URL {url!r}; use redis://host:port/db")
