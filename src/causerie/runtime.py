"""What a running server holds: settings, database, hub, broker, HTTP client, throttler."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

import httpx

from causerie.events.broker import Broker, create_broker
from causerie.events.hub import Hub
from causerie.services.accounts.bruteforce import Throttler
from causerie.services.accounts.passwords import PasswordChecker
from causerie.services.files.space import FileSpace
from causerie.settings import Settings
from causerie.storage.db import Database

# Outgoing requests (the external call service) must not hold a user's request for long.
OUTGOING_TIMEOUT = httpx.Timeout(connect=3.0, read=5.0, write=5.0, pool=3.0)
# Jobs post to the same few hosts (push services, bots) many at a time: keep every connection
# open for the next post instead of httpx's 20 (new TCP connections cost more than the posts).
OUTGOING_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=100)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    hub: Hub
    broker: Broker
    http: httpx.AsyncClient
    throttler: Throttler
    passwords: PasswordChecker
    files: FileSpace
    _background: set[asyncio.Task[Any]] = field(default_factory=set)

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        db = Database(settings.database_url)
        hub = Hub()
        return cls(
            settings=settings,
            db=db,
            hub=hub,
            broker=create_broker(settings.broker_url, hub),
            http=httpx.AsyncClient(timeout=OUTGOING_TIMEOUT, follow_redirects=False, limits=OUTGOING_LIMITS),
            throttler=Throttler(db, sleep=settings.bruteforce_sleep, enabled=settings.bruteforce_enabled),
            passwords=PasswordChecker(),
            files=FileSpace.create(settings),
        )

    async def publish(self, key: str) -> None:
        """Wake every waiter on ``key`` in every process. Call after the commit."""
        await self.broker.publish(key)

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run ``work`` after the current request (kept referenced; awaited at shutdown)."""
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def close(self) -> None:
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        self.hub.close()
        await self.broker.close()
        await self.http.aclose()
        await self.files.close()
        await self.db.dispose()
