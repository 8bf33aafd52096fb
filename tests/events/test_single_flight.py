"""Shared reads for woken long-polls: shared when safe, never when a commit could be missed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from causerie.events.hub import Hub
from causerie.events.single_flight import ENTRY_BYTES, MIB, SingleFlight


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


def test_a_finished_read_serves_the_waiters_it_covers_without_reading_again() -> None:
    async def scenario() -> tuple[list[int], int]:
        hub = Hub()
        flights = SingleFlight(hub)
        reads = 0

        async def read() -> int:  # finishes without suspending, as a SQLite read does
            nonlocal reads
            reads += 1
            return reads

        with hub.waiter("room:a"):
            seen = hub.generation("room:a")
            first = await flights.run("room:a", "q", seen, read)
            again = await flights.run("room:a", "q", seen, read)
            hub.wake("room:a")  # a new commit: waiters that saw it need a new read
        with hub.waiter("room:a"):
            fresh = await flights.run("room:a", "q", hub.generation("room:a"), read)
        return [first, again, fresh], reads

    assert asyncio.run(scenario()) == ([1, 1, 2], 2)


def test_waiters_of_a_cancelled_read_read_for_themselves() -> None:
    async def scenario() -> list[str]:
        hub = Hub()
        flights = SingleFlight(hub)
        release = asyncio.Event()
        calls = 0

        async def read() -> str:
            nonlocal calls
            calls += 1
            await release.wait()
            return f"read {calls}"

        with hub.waiter("room:a"):
            seen = hub.generation("room:a")
            leader = asyncio.ensure_future(flights.run("room:a", "q", seen, read))
            await asyncio.sleep(0)
            follower = asyncio.ensure_future(flights.run("room:a", "q", seen, read))
            await asyncio.sleep(0)
            leader.cancel()  # its client went away
            await asyncio.sleep(0)
            release.set()
            return [await follower, str(leader.cancelled())]

    assert asyncio.run(scenario()) == ["read 2", "True"]


def test_finished_reads_kept_are_bounded_by_their_size() -> None:
    """Long messages make big pages: what is kept is bounded by bytes, not by a number of reads."""

    async def scenario() -> tuple[int, list[str], list[str]]:
        hub = Hub()
        flights = SingleFlight[bytes](hub, max_bytes=10 * MIB, size=len)
        reads: list[str] = []

        def page(name: str) -> Callable[[], Awaitable[bytes]]:
            async def read() -> bytes:
                reads.append(name)
                return bytes(MIB)

            return read

        most = 0
        for i in range(40):
            await flights.run(f"room:{i}", "q", 0, page(f"room:{i}"))
            most = max(most, flights.kept_bytes)
        reads.clear()
        # Asked again: the latest pages are still there, the first ones were let go and are read anew.
        for i in (39, 38, 0, 1):
            await flights.run(f"room:{i}", "q", 0, page(f"room:{i}"))
        return most, reads, [name for name in reads if name in ("room:38", "room:39")]

    most, again, kept_read_again = asyncio.run(scenario())
    assert most <= 10 * MIB
    assert again == ["room:0", "room:1"]
    assert kept_read_again == []


def test_a_read_bigger_than_the_budget_still_serves_the_waiters_it_woke() -> None:
    async def scenario() -> tuple[list[int], int, int]:
        hub = Hub()
        flights = SingleFlight[bytes](hub, max_bytes=MIB, size=len)
        reads = 0

        async def read() -> bytes:  # finishes without suspending, as a SQLite read does
            nonlocal reads
            reads += 1
            return bytes(4 * MIB)

        with hub.waiter("room:a"):
            seen = hub.generation("room:a")
            pages = [await flights.run("room:a", "q", seen, read) for _ in range(20)]
        return [len(p) for p in pages], reads, flights.kept_bytes

    sizes, reads, kept = asyncio.run(scenario())
    assert sizes == [4 * MIB] * 20 and reads == 1
    # Only that one is kept; a newer read replaces it.
    assert 4 * MIB <= kept < 5 * MIB


def test_many_small_reads_are_bounded_too() -> None:
    async def scenario() -> int:
        hub = Hub()
        flights = SingleFlight[None](hub, max_bytes=64 * ENTRY_BYTES)

        async def read() -> None:
            return None

        for i in range(10_000):
            await flights.run(f"room:{i}", "q", 0, read)
        return flights.kept_bytes

    assert asyncio.run(scenario()) <= 64 * ENTRY_BYTES
