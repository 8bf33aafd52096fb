"""SQL for brute-force attempts."""

from __future__ import annotations

import json

from sqlalchemy import delete, func, select

from causerie.storage.db import Conn
from causerie.storage.tables.accounts import bruteforce_attempts as attempts


async def count(conn: Conn, subnet: str, action: str | None, since: float) -> int:
    """Attempts from ``subnet`` since ``since``, for one action or (None) for all."""
    query = select(func.count()).where(attempts.c.subnet == subnet, attempts.c.occurred > since)
    if action is not None:
        query = query.where(attempts.c.action == action)
    return int((await conn.execute(query)).scalar_one())


async def insert(conn: Conn, ip: str, subnet: str, action: str, metadata: dict[str, str], now: float) -> None:
    await conn.execute(
        attempts.insert().values(
            action=action, occurred=now, ip=ip, subnet=subnet, metadata=json.dumps(metadata, sort_keys=True)
        )
    )


async def remove(
    conn: Conn, subnet: str | None = None, action: str | None = None, metadata: dict[str, str] | None = None
) -> int:
    query = delete(attempts)
    if subnet is not None:
        query = query.where(attempts.c.subnet == subnet)
    if action is not None:
        query = query.where(attempts.c.action == action)
    if metadata is not None:
        query = query.where(attempts.c.metadata == json.dumps(metadata, sort_keys=True))
    return int((await conn.execute(query)).rowcount)


async def purge_older_than(conn: Conn, cutoff: float) -> None:
    await conn.execute(delete(attempts).where(attempts.c.occurred < cutoff))
