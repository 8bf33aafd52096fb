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
from typing import TypeVar

from starlette.requests import Request

from causerie.events.hub import Hub

T = TypeVar("T")


def _release(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class Disconnect:
    """Tells when the client closes its connection (the ASGI ``http.disconnect`` message).

    The request body has been read before a handler runs, so the next ``receive()`` only returns
    when the connection goes away (or the response is done).
    """

    def __init__(self, request: Request) -> None:
        self._task: asyncio.Task[object] | None = None
        self._request = request

    @property
    def happened(self) -> bool:
        return self._task is not None and self._task.done()

    def releases(self, future: asyncio.Future[None]) -> Callable[[], object]:
        """Resolve ``future`` on disconnect; returns the function that undoes this."""
        if self._task is None:
            self._task = asyncio.ensure_future(self._request.receive())
        task = self._task

        def on_done(_: object) -> None:
            _release(future)

        task.add_done_callback(on_done)
        return lambda: task.remove_done_callback(on_done)


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

    ``also`` are further keys whose pokes wake the wait (``check`` gets ``key``'s generation).
    A wait is one future that a poke, the deadline and a disconnect all resolve: a poke resumes the
    request directly, which matters when one message wakes thousands of them.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    # Its pending receive() is not cancelled at the end: the server answers it with
    # "http.disconnect" once the response is sent (ASGI), which costs less than a cancellation.
    disconnect = Disconnect(request)
    while True:
        with hub.waiter(key, *also) as woken:
            result = await check(hub.generation(key))
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0 or hub.closed:
                return None
            timer = loop.call_at(deadline, _release, woken)
            undo = disconnect.releases(woken)
            try:
                await woken
            finally:
                timer.cancel()
                undo()
            if disconnect.happened or loop.time() >= deadline:
                return None
        # Woken (or shut down): the next round looks at the database once more.
