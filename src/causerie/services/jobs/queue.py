"""Durable jobs: what must happen after a change, off the request path (push, webhooks, reminders).

A job is written with ``enqueue`` in the transaction of the change that asks for it, so it exists
exactly when the change does. Runners (``services/jobs/runner.py``, one in each server process)
take due jobs under a lease, run their kind's handler and mark them done; a handler that raises is
tried again later (exponential backoff with jitter, capped), and a job whose tries are used up is
dead: kept for an operator (``occ background-job:list``), not retried. A job runs once: a runner
holds its lease while it runs, and only a runner that died mid-job lets another take it over.
"""

from __future__ import annotations

import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from causerie.events.broker import Broker
from causerie.services import clock
from causerie.storage import jobs as store
from causerie.storage.db import Conn, Database

# The broker key that wakes the runners of every process after a commit that enqueued a job.
JOBS_KEY = "jobs"
DEFAULT_MAX_ATTEMPTS = 8
BACKOFF_BASE_S = 1.0
# The longest wait between two tries: a backlog drains within a minute of the other side coming back.
BACKOFF_CAP_S = 60.0


@dataclass(frozen=True)
class JobContext:
    """What a handler may use: the database, the outgoing HTTP client, the broker, and the server's
    public base URL (for links and contacts in what it sends)."""

    db: Database
    http: httpx.AsyncClient
    broker: Broker
    base_url: str = ""


Handler = Callable[[JobContext, dict[str, Any]], Awaitable[None]]


class GiveUp(Exception):
    """Raised by a handler whose job can never succeed (a push subscription the service says is
    gone, a bot that was uninstalled): the job is dead at once, without more tries."""


async def enqueue(
    conn: Conn,
    kind: str,
    payload: dict[str, Any],
    *,
    run_at: float | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    dedupe_key: str | None = None,
) -> bool:
    """Add a job in the caller's transaction; after the commit, ``wake(broker)`` runs it at once.

    False when a job with the same ``dedupe_key`` exists already."""
    now = clock.now()
    return await store.insert(
        conn,
        kind=kind,
        payload=json.dumps(payload, separators=(",", ":"), sort_keys=True),
        run_at=now if run_at is None else run_at,
        max_attempts=max_attempts,
        dedupe_key=dedupe_key,
        now=now,
    )


async def wake(broker: Broker) -> None:
    """Tell every process's runner that a job may be due (call after the commit)."""
    await broker.publish(JOBS_KEY)


async def listing(db: Database, *, state: str | None, limit: int) -> list[dict[str, Any]]:
    async with db.read() as conn:
        rows = await store.list_jobs(conn, state=state, limit=limit)
    keys = ("id", "kind", "state", "attempts", "max_attempts", "run_at", "last_error", "created_at", "finished_at")
    return [{key: getattr(row, key) for key in keys} for row in rows]


async def retry_dead(db: Database, job_id: int | None) -> int:
    """Give dead jobs (one, or all with None) a new set of tries, due now."""
    async with db.write() as conn:
        return await store.retry_dead(conn, clock.now(), job_id)


async def purge_finished(db: Database, keep_s: float) -> int:
    async with db.write() as conn:
        return await store.purge_finished(conn, clock.now() - keep_s)


def backoff(attempts: int) -> float:
    """Seconds before try ``attempts + 1``: 1, 2, 4 … up to a minute, with a little jitter so that
    jobs that failed together do not all come back in the same instant."""
    delay: float = min(BACKOFF_BASE_S * 2 ** max(attempts - 1, 0), BACKOFF_CAP_S)
    return delay * random.uniform(0.8, 1.0)
