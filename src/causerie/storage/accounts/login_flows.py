"""SQL for login flow v2."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Row

from causerie.storage.db import Conn
from causerie.storage.tables.accounts import login_flows


async def insert(
    conn: Conn, poll_token_hash: str, login_token_hash: str, client_name: str, server: str, now: int
) -> None:
    await conn.execute(
        login_flows.insert().values(
            poll_token_hash=poll_token_hash,
            login_token_hash=login_token_hash,
            client_name=client_name,
            server=server,
            created_at=now,
            started=False,
        )
    )


async def by_login_token(conn: Conn, login_token_hash: str, created_after: int) -> Row[Any] | None:
    query = select(login_flows).where(
        login_flows.c.login_token_hash == login_token_hash, login_flows.c.created_at > created_after
    )
    return (await conn.execute(query)).first()


async def mark_started(conn: Conn, flow_id: int) -> None:
    await conn.execute(update(login_flows).where(login_flows.c.id == flow_id).values(started=True))


async def grant(conn: Conn, flow_id: int, uid: str, created_after: int) -> bool:
    result = await conn.execute(
        update(login_flows)
        .where(login_flows.c.id == flow_id, login_flows.c.uid.is_(None), login_flows.c.created_at > created_after)
        .values(uid=uid)
    )
    return bool(result.rowcount)


async def take_granted(conn: Conn, poll_token_hash: str, created_after: int) -> Row[Any] | None:
    """The granted flow of this poll token, deleted: each flow answers one poll with credentials."""
    query = select(login_flows).where(
        login_flows.c.poll_token_hash == poll_token_hash,
        login_flows.c.created_at > created_after,
        login_flows.c.uid.is_not(None),
    )
    row = (await conn.execute(query)).first()
    if row is None:
        return None
    result = await conn.execute(delete(login_flows).where(login_flows.c.id == row.id))
    return row if result.rowcount else None


async def delete_older(conn: Conn, created_before: int) -> int:
    result = await conn.execute(delete(login_flows).where(login_flows.c.created_at <= created_before))
    return int(result.rowcount or 0)
