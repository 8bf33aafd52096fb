"""The job runner of one server process: takes due jobs, runs them, records how they went."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
from collections.abc import Mapping
from typing import Any

from causerie.events.hub import Hub
from causerie.services import clock
from causerie.services.jobs.queue import JOBS_KEY, GiveUp, Handler, JobContext, backoff
from causerie.storage import jobs as store

log = logging.getLogger("causerie.jobs")

# A runner holds a job for this long; a job still running then is cut short (so that no other
# runner can take it over while it runs) and tried again later.
LEASE_S = 60.0
RUN_LIMIT_S = LEASE_S * 0.8
# Without a poke, due jobs (scheduled ones, retries, another runner's lost lease) are looked for
# at least this often.
POLL_S = 1.0
BATCH = 16


class Runner:
    def __init__(
        self,
        context: JobContext,
        hub: Hub,
        handlers: Mapping[str, Handler],
        *,
        concurrency: int = 8,
        poll_s: float = POLL_S,
    ) -> None:
        self.context = context
        self.hub = hub
        self.handlers = dict(handlers)
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.poll_s = poll_s
        self.concurrency = concurrency
        self._running: set[asyncio.Task[None]] = set()
        self._stopping = False

    async def run_forever(self) -> None:
        while not self._stopping:
            try:
                await self.run_due()
            except Exception:
                log.exception("taking due jobs failed; trying again")
            await self._wait()

    async def _wait(self) -> None:
        if self.hub.closed:  # shutting down: the hub answers every waiter at once from now on
            self._stopping = True
            return
        with self.hub.waiter(JOBS_KEY) as poked, contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(poked), self.poll_s)

    async def run_due(self) -> int:
        """Start every due job there is room for; returns how many were started."""
        started = 0
        while not self._stopping:
            free = self.concurrency - len(self._running)
            if free == 0:
                return started
            now = clock.now()
            async with self.context.db.write() as conn:
                rows = await store.claim(
                    conn, worker=self.worker, now=now, lease_until=now + LEASE_S, limit=min(free, BATCH)
                )
            for row in rows:
                task = asyncio.create_task(self._run(row))
                self._running.add(task)
                task.add_done_callback(self._running.discard)
            started += len(rows)
            if len(rows) < min(free, BATCH):
                return started
        return started

    async def _run(self, row: Any) -> None:
        try:
            handler = self.handlers.get(row.kind)
            if handler is None:
                await self._record(row, f"no handler for job kind {row.kind!r}", give_up=True)
                return
            try:
                payload = json.loads(row.payload)
                await asyncio.wait_for(handler(self.context, payload), RUN_LIMIT_S)
            except GiveUp as error:
                await self._record(row, f"gave up: {error}", give_up=True)
            except Exception as error:  # any failure of a handler is retried
                await self._record(row, f"{type(error).__name__}: {error}", give_up=False)
            else:
                async with self.context.db.write() as conn:
                    await store.finish(conn, row.id, self.worker, clock.now())
        finally:
            # A finished job frees a place: more may be due already.
            self.hub.wake(JOBS_KEY)

    async def _record(self, row: Any, error: str, *, give_up: bool) -> None:
        now = clock.now()
        retry_at = None if give_up or row.attempts >= row.max_attempts else now + backoff(row.attempts)
        level = logging.WARNING if retry_at is not None else logging.ERROR
        log.log(
            level, "job %s (%s) failed, attempt %d of %d: %s", row.id, row.kind, row.attempts, row.max_attempts, error
        )
        async with self.context.db.write() as conn:
            await store.fail(conn, row.id, self.worker, error, retry_at=retry_at, now=now)

    async def drain(self) -> None:
        """Wait for the jobs running now (tests, shutdown)."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def stop(self) -> None:
        self._stopping = True
        self.hub.wake(JOBS_KEY)
        await self.drain()
