"""SQL of stored contents: claiming a blob before its object is written, and the clean-up.

Why this is safe against an upload running at the same time (keys are contents, so a new upload
may bring bytes whose object the clean-up is about to delete):

1. An upload claims the key (``claim``: the row's ``claimed_at`` becomes now, in a committed
   transaction) *before* it writes the object, and points a node at it afterwards.
2. The clean-up deletes a row only when nothing points at it and nobody claimed it for ``grace``
   seconds, and deletes the objects *inside* that transaction, before it commits.

So either the clean-up's transaction comes first (rows and objects are gone; the claim inserts the
row again and the upload writes the object after it), or the claim does (the clean-up no longer
selects that row). The grace only has to outlast the write of one object.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy import and_, delete, exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.elements import ColumnElement

from causerie.storage.db import Conn
from causerie.storage.tables.files import file_blobs, file_nodes, file_upload_chunks


async def claim(conn: Conn, key: str, size: int, now: float) -> None:
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(file_blobs).values(key=key, size=size, claimed_at=now)
    statement = statement.on_conflict_do_update(index_elements=["key"], set_={"claimed_at": now})
    await conn.execute(statement)


def _unreferenced(cutoff: float) -> ColumnElement[bool]:
    return and_(
        file_blobs.c.claimed_at < cutoff,
        ~exists().where(file_nodes.c.blob_key == file_blobs.c.key),
        ~exists().where(file_upload_chunks.c.blob_key == file_blobs.c.key),
    )


async def delete_unreferenced(
    conn: Conn,
    cutoff: float,
    delete_objects: Callable[[Sequence[str]], Awaitable[None]],
    *,
    keys: Sequence[str] | None = None,
    limit: int = 500,
) -> list[str]:
    """Delete up to ``limit`` unreferenced rows claimed before ``cutoff`` (among ``keys`` when
    given) and their objects, in the caller's write transaction; returns the keys."""
    query = select(file_blobs.c.key).where(_unreferenced(cutoff))
    if keys is not None:
        query = query.where(file_blobs.c.key.in_(list(keys)))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    found = [row.key for row in await conn.execute(query.limit(limit))]
    if not found:
        return []
    # Checked again with the rows locked: a claim that came in between keeps its row.
    result = await conn.execute(
        delete(file_blobs).where(file_blobs.c.key.in_(found), _unreferenced(cutoff)).returning(file_blobs.c.key)
    )
    gone = [row.key for row in result]
    if gone:
        await delete_objects(gone)
    return gone


async def total(conn: Conn) -> tuple[int, int]:
    """(objects, bytes) the store holds according to the database."""
    from sqlalchemy import func

    row = (await conn.execute(select(func.count(), func.coalesce(func.sum(file_blobs.c.size), 0)))).one()
    return int(row[0]), int(row[1])
