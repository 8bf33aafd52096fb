"""SQL for internal signaling: messages waiting for their recipient session."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from causerie.storage.db import Conn
from causerie.storage.tables.calls import signaling_messages


async def insert(conn: Conn, *, recipient: str, sender: str, message: str, now: int) -> None:
    await conn.execute(
        signaling_messages.insert().values(recipient=recipient, sender=sender, message=message, created_at=now)
    )


async def take(conn: Conn, recipient: str) -> list[str]:
    """The recipient's waiting messages, oldest first, removed from the table."""
    rows = (
        await conn.execute(
            select(signaling_messages.c.id, signaling_messages.c.message)
            .where(signaling_messages.c.recipient == recipient)
            .order_by(signaling_messages.c.id)
        )
    ).all()
    if rows:
        await conn.execute(delete(signaling_messages).where(signaling_messages.c.id.in_([row.id for row in rows])))
    return [str(row.message) for row in rows]


async def purge(conn: Conn, recipient: str) -> None:
    await conn.execute(delete(signaling_messages).where(signaling_messages.c.recipient == recipient))


async def count(conn: Conn, recipient: str) -> int:
    query = select(func.count()).select_from(signaling_messages).where(signaling_messages.c.recipient == recipient)
    return int((await conn.execute(query)).scalar_one())
