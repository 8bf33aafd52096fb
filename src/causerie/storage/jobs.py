"""SQL for durable jobs: enqueue in the caller's transaction, claim under a lease, finish."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Row

from causerie.storage.db import Conn
from causerie.storage.tables.jobs import jobs

PENDING = "pending"
DONE = "done"
DEAD = "dead"


async def insert(
    conn: Conn, *, kind: str, payload: str, run_at: float, max_attempts: int, dedupe_key: str | None, now: float
) -> bool:
    """Add a job; False when a job with the same ``dedupe_key`` exists already (nothing is added)."""
    values = {
        "kind": kind,
        "payload": payload,
        "state": PENDING,
        "run_at": run_at,
        "attempts": 0,
        "max_attempts": max_attempts,
        "dedupe_key": dedupe_key,
        "created_at": now,
    }
    if dedupe_key is None:
        await conn.execute(jobs.insert().values(**values))
        return True
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(jobs).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    return bool((await conn.execute(statement)).rowcount)


def _due(now: float, worker: str | None = None) -> Any:
    """Pending, due, and not held: a lease that ran out is taken over, except by the runner that
    holds it (it is still running the job: a lease outlives every run that is not cut short, so
    only a jump of the clock ends one early)."""
    lease_over = and_(jobs.c.locked_until < now, jobs.c.locked_by != worker) if worker else jobs.c.locked_until < now
    return and_(
        jobs.c.state == PENDING,
        jobs.c.run_at <= now,
        or_(jobs.c.locked_until.is_(None), lease_over),
    )


async def claim(conn: Conn, *, worker: str, now: float, lease_until: float, limit: int) -> Sequence[Row[Any]]:
    """Take up to ``limit`` due jobs for ``worker`` until ``lease_until`` (one more attempt each).

    On PostgreSQL concurrent claimers skip each other's rows (``FOR UPDATE SKIP LOCKED``), so every
    job goes to one process; SQLite writers run one at a time anyway."""
    chosen = select(jobs.c.id).where(_due(now, worker)).order_by(jobs.c.run_at, jobs.c.id).limit(limit)
    if conn.dialect.name == "postgresql":
        chosen = chosen.with_for_update(skip_locked=True)
    ids = [row.id for row in await conn.execute(chosen)]
    if not ids:
        return []
    await conn.execute(
        update(jobs)
        .where(jobs.c.id.in_(ids))
        .values(locked_by=worker, locked_until=lease_until, attempts=jobs.c.attempts + 1)
    )
    return list(await conn.execute(select(jobs).where(jobs.c.id.in_(ids)).order_by(jobs.c.run_at, jobs.c.id)))


async def finish(conn: Conn, job_id: int, worker: str, now: float) -> bool:
    """Mark a job done, if ``worker`` still holds it."""
    result = await conn.execute(
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.locked_by == worker)
        .values(state=DONE, finished_at=now, locked_by=None, locked_until=None, last_error=None)
    )
    return bool(result.rowcount)


async def fail(conn: Conn, job_id: int, worker: str, error: str, *, retry_at: float | None, now: float) -> None:
    """After a failed attempt: try again at ``retry_at``, or (None) give up: the job is dead."""
    values: dict[str, Any] = {"locked_by": None, "locked_until": None, "last_error": error[:2000]}
    if retry_at is None:
        values.update(state=DEAD, finished_at=now)
    else:
        values["run_at"] = retry_at
    await conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.locked_by == worker).values(**values))


async def next_run_at(conn: Conn) -> float | None:
    """When the earliest pending job is due (or its lease ends), to sleep until then."""
    due: Any = func.max(jobs.c.run_at, func.coalesce(jobs.c.locked_until, jobs.c.run_at))
    if conn.dialect.name == "postgresql":
        due = func.greatest(jobs.c.run_at, func.coalesce(jobs.c.locked_until, jobs.c.run_at))
    value = (await conn.execute(select(func.min(due)).where(jobs.c.state == PENDING))).scalar()
    return None if value is None else float(value)


async def purge_finished(conn: Conn, before: float) -> int:
    """Done jobs finished before ``before`` go (dead ones stay, for an operator to look at)."""
    result = await conn.execute(delete(jobs).where(jobs.c.state == DONE, jobs.c.finished_at < before))
    return int(result.rowcount)


async def counts(conn: Conn) -> dict[tuple[str, str], int]:
    """Jobs by (kind, state)."""
    rows = await conn.execute(select(jobs.c.kind, jobs.c.state, func.count()).group_by(jobs.c.kind, jobs.c.state))
    return {(row[0], row[1]): int(row[2]) for row in rows}


async def list_jobs(conn: Conn, *, state: str | None = None, limit: int = 100) -> Sequence[Row[Any]]:
    query = select(jobs).order_by(jobs.c.id.desc()).limit(limit)
    if state is not None:
        query = query.where(jobs.c.state == state)
    return list(await conn.execute(query))


async def retry_dead(conn: Conn, now: float, job_id: int | None = None) -> int:
    """Give dead jobs (one, or all) another full set of tries."""
    query = update(jobs).where(jobs.c.state == DEAD)
    if job_id is not None:
        query = query.where(jobs.c.id == job_id)
    result = await conn.execute(query.values(state=PENDING, run_at=now, attempts=0, finished_at=None))
    return int(result.rowcount)
