"""Redis pub/sub broker, for several Causerie processes sharing one database."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import redis.asyncio as aioredis

from causerie.events.hub import Hub

log = logging.getLogger("causerie.events")
CHANNEL = "causerie:pokes"


class RedisBroker:
    """Publishes pokes on one channel; every process wakes its own waiters.

    Pokes lost while the subscription is down cannot be replayed, so after every (re)connect all
    local waiters are woken to re-read the database, which stays the source of truth.
    """

    def __init__(self, url: str, hub: Hub) -> None:
        self.url = url
        self.hub = hub
        self._client: aioredis.Redis | None = None
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def start(self) -> None:
        self._client = aioredis.from_url(self.url)
        self._task = asyncio.create_task(self._listen(), name="causerie-redis-listener")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), timeout=5)

    async def _listen(self) -> None:
        assert self._client is not None
        delay = 0.1
        while True:
            try:
                pubsub = self._client.pubsub(ignore_subscribe_messages=True)
                await pubsub.subscribe(CHANNEL)
                self._subscribed.set()
                self.hub.wake_all()
                delay = 0.1
                async for message in pubsub.listen():
                    data = message.get("data")
                    if isinstance(data, bytes):
                        self.hub.wake(data.decode())
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # reconnect on any transport error
                log.warning("redis subscription lost (%s); reconnecting", exc)
                self._subscribed.clear()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def publish(self, key: str) -> None:
        assert self._client is not None
        # Local waiters need not wait for the round trip; the echo from Redis wakes nobody twice.
        self.hub.wake(key)
        try:
            await self._client.publish(CHANNEL, key)
        except Exception as exc:
            # The commit is done; remote waiters are woken when the subscription reconnects.
            log.warning("redis publish failed (%s)", exc)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._client is not None:
            await self._client.aclose()
