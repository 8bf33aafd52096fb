"""Redis pub/sub broker, for several Causerie processes sharing one database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import redis.asyncio as aioredis

from causerie.events.hub import Hub

log = logging.getLogger("causerie.events")

# A poke for this key wakes every waiter of the receiving process.
WAKE_ALL = "*"
# Keys not yet handed to Redis; beyond this many they collapse into one WAKE_ALL.
MAX_PENDING = 10_000
# How often the subscriber pings an idle connection, so that a dead one is noticed.
HEALTH_CHECK_SECONDS = 10.0


def channel_for(url: str) -> str:
    """The channel of a broker URL: ``?channel=`` if given, else one per database number.

    Pub/sub ignores Redis database numbers, so the number goes into the channel name; two
    installations on one Redis with different ``/N`` never wake each other.
    """
    parts = urlsplit(url)
    explicit = parse_qs(parts.query).get("channel")
    if explicit and explicit[0]:
        return explicit[0]
    db = parts.path.strip("/") or "0"
    return f"causerie:{db}:pokes"


def _client_url(url: str) -> str:
    """The URL without our own ``channel`` parameter, which redis-py would not understand."""
    parts = urlsplit(url)
    if "channel" not in parse_qs(parts.query):
        return url
    query = "&".join(p for p in parts.query.split("&") if not p.startswith("channel="))
    return parts._replace(query=query).geturl()


class RedisBroker:
    """Publishes pokes on one channel; every process wakes its own waiters.

    - A publish wakes local waiters at once and queues the key for Redis; a background sender
      delivers the queue and retries while Redis is unreachable, so neither a slow nor a dead Redis
      holds up the request that committed, and a poke is not dropped by one failed send.
    - Pokes carry the sender's id, so a process ignores its own echo (its waiters were woken
      already and would only re-query for nothing).
    - Pokes that were sent while this process's subscription was down cannot be replayed, so
      every (re)subscription - ours or redis-py's own reconnect - wakes all local waiters to
      re-read the database, which stays the source of truth.
    """

    def __init__(self, url: str, hub: Hub, *, channel: str | None = None) -> None:
        self.url = _client_url(url)
        self.hub = hub
        self.channel = channel or channel_for(url)
        self.origin = uuid.uuid4().hex
        self.subscribed = asyncio.Event()
        self.subscriptions = 0
        self._publisher: aioredis.Redis | None = None
        self._subscriber: aioredis.Redis | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._pending: dict[str, None] = {}
        self._kick = asyncio.Event()

    async def start(self) -> None:
        common: dict[str, Any] = {"socket_connect_timeout": 2, "socket_keepalive": True}
        self._publisher = aioredis.from_url(
            self.url, socket_timeout=2, client_name=f"causerie-pub-{self.origin[:8]}", **common
        )
        self._subscriber = aioredis.from_url(
            self.url,
            health_check_interval=HEALTH_CHECK_SECONDS,
            client_name=f"causerie-sub-{self.origin[:8]}",
            **common,
        )
        self._tasks = [
            asyncio.create_task(self._listen(), name="causerie-redis-listener"),
            asyncio.create_task(self._send(), name="causerie-redis-sender"),
        ]
        try:
            await asyncio.wait_for(self.subscribed.wait(), timeout=5)
        except TimeoutError:
            log.error("redis at %s is not reachable; waking only this process until it is", self.url)

    async def publish(self, key: str) -> None:
        self.hub.wake(key)
        if len(self._pending) >= MAX_PENDING:
            self._pending.clear()
            key = WAKE_ALL
        self._pending[key] = None
        self._kick.set()

    async def _send(self) -> None:
        assert self._publisher is not None
        delay = 0.05
        while True:
            await self._kick.wait()
            self._kick.clear()
            while self._pending:
                batch, self._pending = self._pending, {}
                try:
                    async with self._publisher.pipeline(transaction=False) as pipe:
                        for key in batch:
                            pipe.publish(self.channel, f"{self.origin} {key}")
                        await pipe.execute()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("redis publish failed (%s); retrying in %.2f s", exc, delay)
                    # Keys published meanwhile stay; the failed batch goes first again.
                    self._pending = {**batch, **self._pending}
                    if len(self._pending) > MAX_PENDING:
                        self._pending = {WAKE_ALL: None}
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 2.0)
                else:
                    delay = 0.05

    async def _listen(self) -> None:
        assert self._subscriber is not None
        delay = 0.1
        while True:
            pubsub = self._subscriber.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                while True:
                    message = await pubsub.get_message(timeout=HEALTH_CHECK_SECONDS)
                    if message is not None:
                        self._handle(message)
                        delay = 0.1
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # reconnect on any transport error
                if self.subscribed.is_set():
                    log.warning("redis subscription lost (%s); reconnecting", exc)
                self.subscribed.clear()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    def _handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "subscribe":
            # Also sent when redis-py re-subscribes by itself after a reconnect.
            self.subscriptions += 1
            if self.subscriptions > 1:
                log.warning("redis subscription restored; waking all waiters to re-read")
            self.subscribed.set()
            self.hub.wake_all()
            return
        if kind != "message":
            return
        data = message.get("data")
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
        origin, _, key = text.partition(" ")
        if origin == self.origin or not key:
            return
        if key == WAKE_ALL:
            self.hub.wake_all()
        else:
            self.hub.wake(key)

    async def healthy(self) -> bool:
        """Subscribed, and Redis answers a PING within two seconds."""
        if not self.subscribed.is_set() or self._publisher is None:
            return False
        try:
            return bool(await asyncio.wait_for(self._publisher.ping(), timeout=2))
        except Exception:  # unreachable in any way is "not healthy"
            return False

    async def close(self) -> None:
        if self._pending and self._publisher is not None:
            # A last try, briefly: other processes' waiters would otherwise sleep to their timeout.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._flush(), timeout=1)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for client in (self._publisher, self._subscriber):
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.aclose()

    async def _flush(self) -> None:
        assert self._publisher is not None
        batch, self._pending = self._pending, {}
        async with self._publisher.pipeline(transaction=False) as pipe:
            for key in batch:
                pipe.publish(self.channel, f"{self.origin} {key}")
            await pipe.execute()
