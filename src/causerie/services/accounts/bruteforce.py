"""Brute-force protection with Nextcloud's algorithm (``OC\\Security\\Bruteforce\\Throttler``).

Attempts are counted per action and per client subnet (the IPv4 address, or the IPv6 /64) over a
12-hour window. n attempts delay the next request by 0.1 s × 2^n, capped at 25 s; more than 10
attempts in the last 30 minutes at the cap answer 429 "Reached maximum delay".
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import math
import time
import weakref
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager

from causerie.services.config.appconfig import AppConfig
from causerie.services.errors import TooManyRequests
from causerie.storage.accounts import bruteforce as store
from causerie.storage.db import Database

MAX_DELAY_MS = 25_000
MAX_ATTEMPTS = 10
WINDOW_HOURS = 12
BLOCK_WINDOW_S = 30 * 60


@functools.lru_cache(maxsize=4096)
def subnet_of(ip: str) -> str:
    """The address attempts are counted for: the IPv4 address, or the IPv6 /64 (asked on every
    request, hence remembered)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def delay_for(attempts: int) -> int:
    """Milliseconds of delay after ``attempts`` failed attempts (``Throttler::getDelay``)."""
    if attempts == 0:
        return 0
    if attempts > MAX_ATTEMPTS:
        return MAX_DELAY_MS
    delay = 0.1 * (1 << attempts)
    if delay > MAX_DELAY_MS / 1000:
        return MAX_DELAY_MS
    return math.ceil(delay * 1000)


def _exempt(ip: str, config: AppConfig) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for key in config.keys():  # noqa: SIM118  (AppConfig.keys() is a method, not a dict)
        if not key.startswith("whitelist_"):
            continue
        try:
            if address in ipaddress.ip_network(config.string(key).strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


# How long "no attempts from this subnet for this action" is believed without asking the database
# again. Attempts registered by this process clear it at once; those of other processes (several
# processes on PostgreSQL) are seen at most this late, when the delay they cause is still small.
CLEAN_TTL_S = 1.0
_CLEAN_MAX = 10_000


class Throttler:
    def __init__(self, db: Database, *, sleep: bool = True, enabled: bool = True) -> None:
        self.db = db
        self.sleep = sleep
        self.enabled = enabled
        # Nearly every request checks one or two actions and finds no attempts; remembering that
        # briefly spares each request those reads.
        self._clean: dict[tuple[str, str], float] = {}
        # One lock per (subnet, action) while a guarded request runs; gone once nobody holds it.
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = weakref.WeakValueDictionary()

    async def _is_exempt(self, ip: str) -> bool:
        async with self.db.read() as conn:
            return _exempt(ip, await AppConfig.load(conn, "bruteForce"))

    async def attempts(self, ip: str, action: str, window_s: float = WINDOW_HOURS * 3600) -> int:
        async with self.db.read() as conn:
            return await store.count(conn, subnet_of(ip), action, time.time() - window_s)

    async def delay_ms(self, ip: str, action: str) -> int:
        if not self.enabled:
            return 0
        key = (subnet_of(ip), action)
        now = time.monotonic()
        if self._clean.get(key, 0.0) > now:
            return 0
        attempts = await self.attempts(ip, action)
        if attempts == 0:
            if len(self._clean) >= _CLEAN_MAX:
                self._clean.clear()
            self._clean[key] = now + CLEAN_TTL_S
            return 0
        # The exemption list only matters once there is something to exempt from.
        if await self._is_exempt(ip):
            return 0
        return delay_for(attempts)

    async def sleep_delay_or_throw(self, ip: str, action: str) -> int:
        """Wait as long as the attempts so far ask; 429 at the cap. Returns the milliseconds slept."""
        delay = await self.delay_ms(ip, action)
        if delay == MAX_DELAY_MS and await self.attempts(ip, action, BLOCK_WINDOW_S) > MAX_ATTEMPTS:
            raise TooManyRequests(message="Reached maximum delay")
        if delay and self.sleep:
            await asyncio.sleep(delay / 1000)
        return delay

    def queued(self, ip: str, action: str) -> bool:
        """Whether a guarded request of this subnet and action is running now."""
        lock = self._locks.get((subnet_of(ip), action))
        return lock is not None and lock.locked()

    @asynccontextmanager
    async def guard(self, ip: str, actions: Iterable[str]) -> AsyncIterator[int]:
        """Run a request that may fail for ``actions`` after the requests of the same subnet and
        actions before it; yields the milliseconds slept.

        Each waits the delay of the attempts so far, then checks and counts its own attempt before the
        next starts: without the queue, parallel guesses would all be checked before any was counted
        (one process queues its own requests; several processes can each run one at a time)."""
        if not self.enabled:
            yield 0
            return
        subnet = subnet_of(ip)
        slept = 0
        async with AsyncExitStack() as stack:
            # Always in the same order, so that two requests guarding several actions never deadlock.
            for action in sorted(set(actions)):
                lock = self._locks.get((subnet, action))
                if lock is None:
                    lock = self._locks[(subnet, action)] = asyncio.Lock()
                await stack.enter_async_context(lock)
                slept += await self.sleep_delay_or_throw(ip, action)
            yield slept

    async def register_attempt(self, ip: str, action: str, metadata: dict[str, str] | None = None) -> None:
        if not self.enabled or await self._is_exempt(ip):
            return
        now = time.time()
        async with self.db.write() as conn:
            await store.insert(conn, ip, subnet_of(ip), action, metadata or {}, now)
            await store.purge_older_than(conn, now - 48 * 3600)
        # After the commit: a check that ran meanwhile may have remembered "clean" from before it.
        self._clean.pop((subnet_of(ip), action), None)

    async def reset(self, ip: str, action: str | None = None, metadata: dict[str, str] | None = None) -> None:
        """Forget attempts of the subnet: all of them (``occ``), of one action, or (as Talk after a
        successful join) of one action with exactly this metadata, so that joining one conversation
        does not wipe out the guesses counted against other tokens."""
        async with self.db.write() as conn:
            await store.remove(conn, subnet_of(ip), action, metadata)
