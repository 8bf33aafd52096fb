"""Shared reads for woken long-polls: shared when safe, never when a commit could be missed."""

from __future__ import annotations

import asyncio

from causerie.events.hub import Hub
from causerie.events.single_flight import SingleFlight


def test_concurrent_waiters_share_one_read() -> None:
    async def scenario() -> tuple[list[int], int]:
        hub = Hub()
        flights = SingleFlight(hub)
        reads = 0
        release = asyncio.Event()

        async def read() -> int:
            nonlocal reads
            reads += 1
            await release.wait()
            return 42

        with hub.waiter("room:a"):
            seen = hub.generation("room:a")
            calls = [asyncio.ensure_future(flights.run("room:a", "q", seen, read)) for _ in range(50)]
            await asyncio.sleep(0)
            release.set()
            return list(await asyncio.gather(*calls)), reads

    results, reads = asyncio.run(scenario())
    assert results == [42] * 50 and reads == 1


def test_a_read_started_before_a_poke_is_not_shared_with_later_waiters() -> None:
    async def scenario() -> list[str]:
        hub = Hub()
        flights = SingleFlight(hub)
        release = asyncio.Event()
        started = asyncio.Event()
        committed = ["before"]

        async def read() -> str:
            snapshot = committed[-1]
            started.set()
            await release.wait()
            return snapshot

        with hub.waiter("room:a"):
            early = asyncio.ensure_future(flights.run("room:a", "q", hub.generation("room:a"), read))
            await started.wait()
            committed.append("after")  # a commit, then its poke
            hub.wake("room:a")
        with hub.waiter("room:a"):
            late = asyncio.ensure_future(flights.run("room:a", "q", hub.generation("room:a"), read))
            await asyncio.sleep(0)
            release.set()
            return [await early, await late]

    assert asyncio.run(scenario()) == ["before", "after"]


def test_generations_only_grow_and_forget_idle_keys() -> None:
    async def scenario() -> list[int]:
        hub = Hub()
        values = [hub.generation("room:a")]
        with hub.waiter("room:a"):
            hub.wake("room:b")
            values.append(hub.generation("room:a"))
            hub.wake("room:a")
            values.append(hub.generation("room:a"))
            hub.wake("room:b")
            values.append(hub.generation("room:a"))
        values.append(hub.generation("room:a"))
        return values

    assert asyncio.run(scenario()) == [0, 1, 2, 2, 3]
