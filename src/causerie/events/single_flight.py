"""One database read shared by every waiter that a poke wakes at the same time.

When a message lands in a room with thousands of waiting long-polls, each of them would run the
same query. A waiter may instead use a read that started *after* the waiter registered (its start
generation is at least the generation the waiter saw): such a read has seen every commit poked
before, and later commits poke the waiter again.

The first waiter runs the read itself. On SQLite the read does not suspend, so it is finished
before the other woken waiters resume, and they take its result without waiting at all (one
resumption per waiter, as a bare ``asyncio.Event`` fan-out has). A read that does suspend
(PostgreSQL) is awaited by the others through ``asyncio.shield``. Finished reads are kept for the
waiters they still cover, within a budget of bytes: the caller estimates what a result holds, and
the oldest finished reads go first. The newest is kept whatever its size, so the waiters it woke
still find it when they resume.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from causerie.events.hub import Hub

T = TypeVar("T")
MIB = 1024 * 1024
DEFAULT_MAX_BYTES = 32 * MIB
# What keeping any finished read costs besides its result: the key, the future, the dict slots.
ENTRY_BYTES = 512


class _LeaderGone(Exception):
    """The waiter running a shared read was cancelled; the others must read for themselves."""


def _nothing(_: object) -> int:
    return 0


class SingleFlight(Generic[T]):
    def __init__(self, hub: Hub, *, max_bytes: int = DEFAULT_MAX_BYTES, size: Callable[[T], int] = _nothing) -> None:
        """``size(result)`` estimates the bytes a finished read holds; it runs once per read."""
        self.hub = hub
        self.max_bytes = max_bytes
        self._size = size
        self._flights: dict[Hashable, tuple[int, asyncio.Future[T]]] = {}
        # The finished reads among the flights, oldest first, with their estimated cost.
        self._kept: dict[Hashable, int] = {}
        self._kept_bytes = 0

    @property
    def kept_bytes(self) -> int:
        """The estimated bytes of the finished reads kept now."""
        return self._kept_bytes

    async def run(self, key: str, name: Hashable, seen: int, read: Callable[[], Awaitable[T]]) -> T:
        """``read()``'s result, shared with callers of the same ``key``/``name``.

        ``seen`` is the hub generation of ``key`` when the caller registered its waiter.
        """
        flight_key = (key, name)
        flight = self._flights.get(flight_key)
        if flight is not None and flight[0] >= seen:
            shared = flight[1]
            if shared.done():
                return shared.result()
            try:
                return await asyncio.shield(shared)
            except _LeaderGone:
                pass
        started = self.hub.generation(key)
        result: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._forget(flight_key)
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
            self._keep(flight_key, value)
        return value

    def _keep(self, flight_key: Hashable, value: T) -> None:
        cost = ENTRY_BYTES + self._size(value)
        self._kept[flight_key] = cost
        self._kept_bytes += cost
        while self._kept_bytes > self.max_bytes and len(self._kept) > 1:
            oldest = next(iter(self._kept))
            self._kept_bytes -= self._kept.pop(oldest)
            del self._flights[oldest]

    def _forget(self, flight_key: Hashable) -> None:
        """A new read replaces the finished one kept under this key."""
        cost = self._kept.pop(flight_key, None)
        if cost is not None:
            self._kept_bytes -= cost

    def _fail(self, flight_key: Hashable, result: asyncio.Future[T], error: BaseException) -> None:
        if self._flights.get(flight_key, (0, None))[1] is result:
            del self._flights[flight_key]
        result.set_exception(error)
        # Nobody may be waiting on it: mark the exception retrieved so that asyncio does not log it.
        result.exception()
