"""Password hashing runs on a bounded pool of low-priority threads."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest

from causerie.services.accounts.hashing import HASHING_NICE, _HashingPool, hashing, verify_password
from causerie.services.errors import TooManyRequests


def test_checks_beyond_the_queue_are_refused_and_the_rest_run() -> None:
    pool = _HashingPool(workers=1, max_waiting=2)
    release = threading.Event()

    def slow() -> str:
        release.wait(10)
        return "done"

    async def main() -> list[object]:
        tasks = [asyncio.ensure_future(pool.run(slow)) for _ in range(4)]
        await asyncio.sleep(0)
        release.set()
        return await asyncio.gather(*tasks, return_exceptions=True)

    results = asyncio.run(main())
    # One running and two waiting are taken; the fourth is told to come back later.
    assert results[:3] == ["done"] * 3
    assert isinstance(results[3], TooManyRequests) and results[3].status == 429
    assert pool.pending == 0


def test_hashes_run_at_a_low_priority() -> None:
    def priority() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    assert asyncio.run(hashing.run(priority)) == HASHING_NICE > 0


@pytest.mark.parametrize(("password", "expected"), [("secret", True), ("wrong", False)])
def test_verification_goes_through_the_pool(password: str, expected: bool) -> None:
    from argon2 import PasswordHasher

    stored = PasswordHasher().hash("secret")
    assert asyncio.run(verify_password(stored, password)) is expected
