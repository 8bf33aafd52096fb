"""Password hashing (argon2id) off the event loop, on a bounded pool of low-priority threads."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import hashlib
import os
import secrets
import threading
from collections.abc import Callable
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from causerie.services.errors import TooManyRequests

_hasher = PasswordHasher()
T = TypeVar("T")


REFUSAL_PAUSE_S = 1.0
# Low enough that the event loop wins every contended core (the kernel then gives argon2 about a
# tenth of a core), high enough that logins still progress on a busy server.
HASHING_NICE = 10


class _HashingPool:
    """Where argon2 runs: a bounded number of threads at a low CPU priority (``HASHING_NICE``).

    One hash or verification takes about a tenth of a second of one to two cores (argon2 computes its
    lanes on threads of its own, which inherit the priority). A flood of wrong passwords therefore
    queues here instead of occupying every core, and the event loop, at normal priority, keeps serving
    everyone else. Past ``max_waiting`` queued checks, more are refused with 429."""

    def __init__(self, workers: int, max_waiting: int) -> None:
        self.workers = workers
        self.max_waiting = max_waiting
        self.pending = 0
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None

    def _executor_of(self) -> concurrent.futures.ThreadPoolExecutor:
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(
                self.workers, thread_name_prefix="argon2", initializer=_low_priority
            )
        return self._executor

    async def run(self, work: Callable[[], T]) -> T:
        if self.pending >= self.workers + self.max_waiting:
            # Answered after a pause: a client that hammers the full queue costs a timer, not a loop.
            await asyncio.sleep(REFUSAL_PAUSE_S)
            raise TooManyRequests(message="Too many password checks at once, try again later")
        self.pending += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor_of(), work)
        finally:
            self.pending -= 1


def _low_priority() -> None:
    with contextlib.suppress(OSError, AttributeError):  # per-thread nice values are Linux's
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICE)


hashing = _HashingPool(workers=max(1, (os.cpu_count() or 2) // 2), max_waiting=256)


async def hash_password(password: str) -> str:
    return await hashing.run(lambda: _hasher.hash(password))


async def verify_password(password_hash: str, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await hashing.run(check)


async def verify_nothing(password: str) -> None:
    """As long as a verification, for a user that does not exist: timing must not tell."""
    await verify_password(await hashing.run(_dummy_hash), password)


def app_password_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def new_app_password() -> str:
    """72 letters and digits, as Nextcloud's app passwords: nothing in them needs URL-encoding, so
    they travel unchanged in ``nc://login/…`` links and QR codes."""
    return random_token(72)


def random_token(length: int) -> str:
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(length))


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist, so that timing does not tell.

    Made on first use: hashing costs ~0.4 s, which every ``occ`` call would otherwise pay at import.
    """
    return _hasher.hash(secrets.token_hex(16))
