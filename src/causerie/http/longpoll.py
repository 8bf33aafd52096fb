"""Long-poll waits: answer the moment something is committed, never poll the database on a timer.

``wait_for(request, hub, key, check, seconds)`` registers a waiter on ``key`` *before* running
``check`` (a database query), so a commit that lands between the query and the wait still wakes
it; each wake-up runs ``check`` again. ``check`` gets the hub generation seen at registration, so
that it may share a read with other waiters (``events.single_flight``). The wait also ends when
the client hangs up (its task is freed at once instead of holding a slot until the timeout) and
when the server shuts down (``Hub.close()``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from starlette.requests import Request

from causerie.events.hub import Hub

T = TypeVar("T")


class Disconnect:
    """Resolves when the client closes its connection (the ASGI ``http.disconnect`` message).

    The request body has been read before a handler runs, so the next ``receive()`` only returns
    when the connection goes away (or the response is done).
    """

    def __init__(self, request: Request) -> None:
        self._task: asyncio.Task[object] | None = None
        self._request = request

    def task(self) -> asyncio.Task[object]:
        if self._task is None:
            self._task = asyncio.ensure_future(self._request.receive())
        return self._task

    def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()


async def wait_for(
    request: Request,
    hub: Hub,
    key: str,
    check: Callable[[int], Awaitable[T | None]],
    seconds: float,
    *,
    also: Sequence[str] = (),
) -> T | None:
    """``check()``'s first non-None result, or None after ``seconds``, a disconnect or shutdown.

    ``also`` are further keys whose pokes wake the wait (``check`` gets ``key``'s generation)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    disconnect = Disconnect(request)
    try:
        while True:
            with hub.waiter(key, *also) as woken:
                result = await check(hub.generation(key))
                if result is not None:
                    return result
                remaining = deadline - loop.time()
                if remaining <= 0 or hub.closed:
                    return None
                watched: set[asyncio.Future[Any]] = {woken, disconnect.task()}
                done, _ = await asyncio.wait(watched, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
                if not done or disconnect.task().done():
                    return None
            # Woken (or shut down): the next round looks at the database once more.
    finally:
        disconnect.close()
