"""SQL of chunked uploads: the staging folders and their chunks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Row

from causerie.storage.db import Conn, insert_id
from causerie.storage.tables.files import file_upload_chunks, file_uploads

UploadRow = Row[Any]
OPEN = "open"
ASSEMBLING = "assembling"


async def get(conn: Conn, uid: str, name: str) -> UploadRow | None:
    query = select(file_uploads).where(file_uploads.c.uid == uid, file_uploads.c.name == name)
    return (await conn.execute(query)).first()


async def create(conn: Conn, uid: str, name: str, now: float) -> int:
    return await insert_id(conn, file_uploads.insert().values(uid=uid, name=name, state=OPEN, created_at=now))


async def chunks(conn: Conn, upload_id: int) -> list[Row[Any]]:
    query = select(file_upload_chunks).where(file_upload_chunks.c.upload_id == upload_id)
    return list(await conn.execute(query))


async def total_size(conn: Conn, upload_id: int) -> int:
    query = select(func.coalesce(func.sum(file_upload_chunks.c.size), 0)).where(
        file_upload_chunks.c.upload_id == upload_id
    )
    return int((await conn.execute(query)).scalar_one())


async def put_chunk(conn: Conn, upload_id: int, name: str, blob_key: str, size: int, now: float) -> bool:
    """Store or replace a chunk (the upload counts as active from now on); True when it was new."""
    await conn.execute(update(file_uploads).where(file_uploads.c.id == upload_id).values(created_at=now))
    gone = await conn.execute(
        delete(file_upload_chunks).where(file_upload_chunks.c.upload_id == upload_id, file_upload_chunks.c.name == name)
    )
    await conn.execute(file_upload_chunks.insert().values(upload_id=upload_id, name=name, blob_key=blob_key, size=size))
    return not gone.rowcount


async def start_assembly(conn: Conn, upload_id: int) -> bool:
    """Mark an open upload as being assembled; False when another request already does."""
    result = await conn.execute(
        update(file_uploads)
        .where(file_uploads.c.id == upload_id, file_uploads.c.state == OPEN)
        .values(state=ASSEMBLING)
    )
    return bool(result.rowcount)


async def reopen(conn: Conn, upload_id: int) -> None:
    await conn.execute(update(file_uploads).where(file_uploads.c.id == upload_id).values(state=OPEN))


async def remove(conn: Conn, upload_id: int) -> list[str]:
    """Delete an upload and its chunks; returns the chunks' blob keys."""
    keys = [row.blob_key for row in await chunks(conn, upload_id)]
    await conn.execute(delete(file_upload_chunks).where(file_upload_chunks.c.upload_id == upload_id))
    await conn.execute(delete(file_uploads).where(file_uploads.c.id == upload_id))
    return keys


async def abandoned(conn: Conn, before: float) -> list[int]:
    query = select(file_uploads.c.id).where(file_uploads.c.created_at < before)
    return [int(row.id) for row in await conn.execute(query)]
