"""Chunked uploads under ``/remote.php/dav/uploads/{uid}/{name}`` as the apps drive them.

Web, Desktop and nc-py-api name chunks 1…N (Nextcloud's v2), Android by byte range
(``%016d-%016d``; nc-py-api's v1 style ``%015d-%015d``). Chunks are stored in the blob store as
they come (another process may take the next one), and joined in natural name order by the
``MOVE …/.file`` that names the target; only then does a file appear. Ranges must follow each
other without gap; ``OC-Total-Length``, when sent, must match (400 otherwise, as Nextcloud).
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

from causerie.services.errors import DomainError, InsufficientStorage, MethodNotAllowed, NotFound, PayloadTooLarge
from causerie.services.files import names
from causerie.services.files.quota import usage
from causerie.services.files.space import FileSpace
from causerie.services.files.writes import Written, commit_file, store_blob
from causerie.storage.db import Database
from causerie.storage.files import uploads as store
from causerie.storage.files.scratch import TooLarge

_RANGE = re.compile(r"^(\d+)-(\d+)$")
_DIGITS = re.compile(r"(\d+)")


class Locked(DomainError):
    status = 423


def natural_key(name: str) -> list[Any]:
    """PHP's ``strnatcmp`` order: numbers inside names compare as numbers ("2" before "10")."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in _DIGITS.split(name) if part]


async def create(db: Database, uid: str, name: str) -> None:
    names.check_name(name)
    async with db.write() as conn:
        if await store.get(conn, uid, name) is not None:
            raise MethodNotAllowed(message="The resource you tried to create already exists")
        await store.create(conn, uid, name, time.time())


async def listing(db: Database, uid: str, name: str) -> tuple[Any, list[Any]]:
    async with db.read() as conn:
        upload = await store.get(conn, uid, name)
        if upload is None:
            raise NotFound(message=f"Upload {name} could not be located")
        return upload, sorted(await store.chunks(conn, int(upload.id)), key=lambda c: natural_key(c.name))


async def put_chunk(
    db: Database,
    space: FileSpace,
    uid: str,
    name: str,
    chunk: str,
    body: AsyncIterable[bytes],
    *,
    length: int | None,
    total_length: int | None,
) -> bool:
    """Store one chunk; True when it is new (201), False when it replaced one (204)."""
    names.check_name(chunk)
    async with db.read() as conn:
        upload = await store.get(conn, uid, name)
        if upload is None:
            raise NotFound(message=f"Upload {name} could not be located")
        if upload.state != store.OPEN:
            raise Locked(message="The upload is being assembled")
        so_far = await store.total_size(conn, int(upload.id))
        quota_left = (await usage(conn, uid)).remaining
    announced = max(total_length or 0, so_far + (length or 0))
    if announced > space.max_upload:
        raise PayloadTooLarge(message=f"The file is larger than the upload limit of {space.max_upload} bytes")
    if quota_left is not None and announced > quota_left:
        raise InsufficientStorage(message="Insufficient space in the user's quota")
    limit = space.max_upload - so_far if quota_left is None else min(space.max_upload, quota_left) - so_far
    try:
        staged = await space.scratch.stage(body, max(limit, 0))
    except TooLarge:
        if quota_left is not None and quota_left < space.max_upload:
            raise InsufficientStorage(message="Insufficient space in the user's quota") from None
        raise PayloadTooLarge(message=f"The file is larger than the upload limit of {space.max_upload} bytes") from None
    await store_blob(db, space, staged)
    async with db.write() as conn:
        upload = await store.get(conn, uid, name)
        if upload is None:
            raise NotFound(message=f"Upload {name} could not be located")
        return await store.put_chunk(conn, int(upload.id), chunk, staged.key, staged.size, time.time())


def _check_order(chunks: list[Any]) -> None:
    """Byte-range chunks must join without gap or overlap (a truncated upload is refused)."""
    ranges = [_RANGE.match(c.name) for c in chunks]
    if not chunks or not all(ranges):
        return
    offset = 0
    for chunk, match in sorted(zip(chunks, ranges, strict=True), key=lambda pair: int(pair[1].group(1))):  # type: ignore[union-attr]
        start, end = int(match.group(1)), int(match.group(2))  # type: ignore[union-attr]
        if start != offset or int(chunk.size) not in (end - start, end - start + 1):
            raise DomainError(status=400, message="Chunks are missing or overlap")
        offset += int(chunk.size)


async def _joined(space: FileSpace, chunks: list[Any]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        async for piece in space.store.read(chunk.blob_key, 0, int(chunk.size)):
            yield piece


async def assemble(
    db: Database,
    space: FileSpace,
    uid: str,
    name: str,
    folder: str,
    target: str,
    *,
    total_length: int | None,
    mtime: int | None,
) -> Written:
    async with db.write() as conn:
        upload = await store.get(conn, uid, name)
        if upload is None:
            raise NotFound(message=f"Upload {name} could not be located")
        if not await store.start_assembly(conn, int(upload.id)):
            raise Locked(message="The upload is being assembled")
        chunks = sorted(await store.chunks(conn, int(upload.id)), key=lambda c: natural_key(c.name))
    upload_id = int(upload.id)
    try:
        _check_order(chunks)
        size = sum(int(c.size) for c in chunks)
        if total_length is not None and size != total_length:
            message = f"Chunks on server do not sum up to {total_length} but to {size} bytes"
            raise DomainError(status=400, message=message)
        staged = await space.scratch.stage(_joined(space, chunks), size)
        await store_blob(db, space, staged)
        written = await commit_file(db, space, uid, folder, target, staged, mtime=mtime)
    except BaseException:
        async with db.write() as conn:
            await store.reopen(conn, upload_id)
        raise
    async with db.write() as conn:
        await store.remove(conn, upload_id)
    return written


async def delete(db: Database, uid: str, name: str) -> None:
    async with db.write() as conn:
        upload = await store.get(conn, uid, name)
        if upload is None:
            raise NotFound(message=f"Upload {name} could not be located")
        await store.remove(conn, int(upload.id))
