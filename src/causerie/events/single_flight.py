"""One database read shared by every waiter that a poke wakes at the same time.

When a message lands in a room with thousands of waiting long-polls, each of them would run the
same query. A waiter may instead join a read that is already running, but only one that started
*after* the waiter registered (its start generation is at least the generation the waiter saw):
such a read has seen every commit poked before, and later commits poke the waiter again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar, cast

from causerie.events.hub import Hub

T = TypeVar("T")


class SingleFlight:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._flights: dict[Hashable, tuple[int, asyncio.Future[Any]]] = {}

    async def run(self, key: str, name: Hashable, seen: int, read: Callable[[], Awaitable[T]]) -> T:
        """``read()``'s result, shared with concurrent callers of the same ``key``/``name``.

        ``seen`` is the hub generation of ``key`` when the caller registered its waiter.
        """
        flight = self._flights.get((key, name))
        if flight is not None and flight[0] >= seen:
            return cast(T, await asyncio.shield(flight[1]))
        started = self.hub.generation(key)
        # A task of its own: a caller that disconnects must not cancel the read for the others.
        task: asyncio.Future[T] = asyncio.ensure_future(read())
        entry = (started, task)
        self._flights[(key, name)] = entry
        task.add_done_callback(lambda _: self._forget((key, name), entry))
        return await asyncio.shield(task)

    def _forget(self, name: Hashable, entry: tuple[int, asyncio.Future[Any]]) -> None:
        if self._flights.get(name) is entry:
            del self._flights[name]
