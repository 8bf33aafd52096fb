"""One database read shared by every waiter that a poke wakes at the same time.

When a message lands in a room with thousands of waiting long-polls, each of them would run the
same query. A waiter may instead use a read that started *after* the waiter registered (its start
generation is at least the generation the waiter saw): such a read has seen every commit poked
before, and later commits poke the waiter again.

The first waiter runs the read itself. On SQLite the read does not suspend, so it is finished
before the other woken waiters resume, and they take its result without waiting at all (one
resumption per waiter, as a bare ``asyncio.Event`` fan-out has). A read that does suspend
(PostgreSQL) is awaited by the others through ``asyncio.shield``. Finished reads are kept, a
bounded number of them, for the waiters they still cover.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar, cast

from causerie.events.hub import Hub

T = TypeVar("T")
# Finished reads kept for late joiners; the oldest go first.
KEEP_FINISHED = 1024


class _LeaderGone(Exception):
    """The waiter running a shared read was cancelled; the others must read for themselves."""


class SingleFlight:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._flights: dict[Hashable, tuple[int, asyncio.Future[Any]]] = {}

    async def run(self, key: str, name: Hashable, seen: int, read: Callable[[], Awaitable[T]]) -> T:
        """``read()``'s result, shared with callers of the same ``key``/``name``.

        ``seen`` is the hub generation of ``key`` when the caller registered its waiter.
        """
        flight_key = (key, name)
        flight = self._flights.get(flight_key)
        if flight is not None and flight[0] >= seen:
            shared = flight[1]
            if shared.done():
                return cast(T, shared.result())
            try:
                return cast(T, await asyncio.shield(shared))
            except _LeaderGone:
                pass
        started = self.hub.generation(key)
        result: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._flights[flight_key] = (started, result)
        try:
            value = await read()
        except asyncio.CancelledError:
            self._fail(flight_key, result, _LeaderGone())
            raise
        except BaseException as error:
            self._fail(flight_key, result, error)
            raise
        result.set_result(value)
        if self._flights.get(flight_key, (0, None))[1] is result:
            # Most recently finished last, so that the oldest are dropped first.
            self._flights[flight_key] = self._flights.pop(flight_key)
        while len(self._flights) > KEEP_FINISHED:
            oldest = next(iter(self._flights))
            if not self._flights[oldest][1].done():
                break
            del self._flights[oldest]
        return value

    def _fail(self, flight_key: Hashable, result: asyncio.Future[Any], error: BaseException) -> None:
        if self._flights.get(flight_key, (0, None))[1] is result:
            del self._flights[flight_key]
        result.set_exception(error)
        # Nobody may be waiting on it: mark the exception retrieved so that asyncio does not log it.
        result.exception()
