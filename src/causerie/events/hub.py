"""Waiters per key (a room, a signaling session), woken by pokes after a commit."""

from __future__ import annotations

import asyncio


class Hub:
    """In-process registry of long-poll waiters.

    A waiter is a future; a poke resolves every future registered under its key. Waiters register
    *before* they re-query the database, so a commit that lands between the query and the sleep
    still wakes them.
    """

    def __init__(self) -> None:
        self._waiters: dict[str, set[asyncio.Future[None]]] = {}
        # A counter of all pokes, and its value at the last poke of each key that has waiters: a
        # read started at generation g has seen every commit poked before g (events.single_flight).
        self._pokes = 0
        self._generations: dict[str, int] = {}
        self.closed = False
        # Waiters woken so far (for the metrics).
        self.woken = 0

    def generation(self, key: str) -> int:
        """Monotonic per key; keys nobody waits on are not remembered (the global count stands in)."""
        return self._generations.get(key, self._pokes)

    def waiter(self, *keys: str) -> _Waiter:
        """``with hub.waiter(key) as woken:`` a future resolved by the next poke of any of ``keys``."""
        return _Waiter(self, keys)

    def _register(self, future: asyncio.Future[None], keys: tuple[str, ...]) -> None:
        if self.closed:
            future.set_result(None)
        for key in keys:
            self._waiters.setdefault(key, set()).add(future)

    def _unregister(self, future: asyncio.Future[None], keys: tuple[str, ...]) -> None:
        for key in keys:
            bucket = self._waiters.get(key)
            if bucket is not None:
                bucket.discard(future)
                if not bucket:
                    del self._waiters[key]
                    self._generations.pop(key, None)

    def wake(self, key: str) -> int:
        self._pokes += 1
        bucket = self._waiters.get(key)
        if not bucket:
            return 0
        self._generations[key] = self._pokes
        self.woken += len(bucket)
        for future in bucket:
            if not future.done():
                future.set_result(None)
        return len(bucket)

    def wake_all(self) -> None:
        for key in list(self._waiters):
            self.wake(key)

    def close(self) -> None:
        """Release every waiter (shutdown); later waiters return at once."""
        self.closed = True
        self.wake_all()

    def count(self, key: str | None = None) -> int:
        if key is not None:
            return len(self._waiters.get(key, ()))
        return sum(len(b) for b in self._waiters.values())


class _Waiter:
    """A plain context manager (not ``contextlib``'s): one is made for every long-poll round."""

    __slots__ = ("_future", "_hub", "_keys")

    def __init__(self, hub: Hub, keys: tuple[str, ...]) -> None:
        self._hub = hub
        self._keys = keys
        self._future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def __enter__(self) -> asyncio.Future[None]:
        self._hub._register(self._future, self._keys)
        return self._future

    def __exit__(self, *exc: object) -> None:
        self._hub._unregister(self._future, self._keys)
