"""Changing a user's tree: uploads (PUT), folders (MKCOL), MOVE and DELETE, with quota and size
limits. Statuses are Nextcloud's: 409 parent missing, 405 already there, 412 no overwrite,
413 over the upload limit, 507 over quota, 403 not the caller's to change."""

from __future__ import annotations

import time
from collections.abc import AsyncIterable
from dataclasses import dataclass

from causerie.services.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InsufficientStorage,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
)
from causerie.services.files import names, tree
from causerie.services.files.quota import usage
from causerie.services.files.space import FileSpace
from causerie.services.files.tree import Entry, new_etag
from causerie.storage.db import Conn, Database
from causerie.storage.files import blobs
from causerie.storage.files import nodes as node_store
from causerie.storage.files.scratch import Staged, TooLarge, discard


@dataclass(frozen=True)
class Written:
    entry: Entry
    created: bool


async def _parent(conn: Conn, uid: str, folder: str, path: str) -> Entry:
    parent = await tree.resolve(conn, uid, folder, names.parent_of(path))
    if parent is None or not parent.is_dir:
        raise Conflict(message="Parent folder does not exist: " + (names.parent_of(path) or "/"))
    if not parent.mine:
        raise Forbidden(message="You may not create files here")
    return parent


async def _limit(conn: Conn, space: FileSpace, uid: str, replaces: Entry | None) -> tuple[int, int | None]:
    """(bytes this upload may bring, what the quota leaves or None)."""
    found = await usage(conn, uid)
    left = found.remaining
    if left is not None and replaces is not None and not replaces.is_dir:
        left += replaces.size
    return (space.max_upload if left is None else min(space.max_upload, left)), left


def _refuse_size(space: FileSpace, size: int, quota_left: int | None) -> None:
    if size > space.max_upload:
        raise PayloadTooLarge(message=f"The file is larger than the upload limit of {space.max_upload} bytes")
    if quota_left is not None and size > quota_left:
        raise InsufficientStorage(message="Insufficient space in the user's quota")


async def _writable_target(conn: Conn, uid: str, folder: str, path: str) -> Entry | None:
    if not path:
        raise MethodNotAllowed(message="PUT is not allowed on the root")
    await _parent(conn, uid, folder, path)
    existing = await tree.resolve(conn, uid, folder, path)
    if existing is not None and not existing.mine:
        raise Forbidden(message="A file shared with you cannot be overwritten")
    if existing is not None and existing.is_dir:
        raise Conflict(message="PUT is not allowed on non-files")
    return existing


async def stage_upload(
    db: Database, space: FileSpace, uid: str, folder: str, path: str, body: AsyncIterable[bytes], length: int | None
) -> Staged:
    """Check where the bytes go and whether they fit, then stream them into scratch space."""
    async with db.read() as conn:
        existing = await _writable_target(conn, uid, folder, path)
        limit, quota_left = await _limit(conn, space, uid, existing)
    if length is not None:
        _refuse_size(space, length, quota_left)
    try:
        staged = await space.scratch.stage(body, limit)
    except TooLarge as error:
        _refuse_size(space, int(error.args[0]), quota_left)
        raise
    if length is not None and staged.size != length:
        discard(staged)
        raise DomainError(status=400, message=f"Expected filesize of {length} bytes but read {staged.size} bytes")
    return staged


async def store_blob(db: Database, space: FileSpace, staged: Staged) -> None:
    """Claim the content's key, then write the object (storage/files/blobs.py says why in that order)."""
    try:
        async with db.write() as conn:
            await blobs.claim(conn, staged.key, staged.size, time.time())
        await space.store.save(staged)
    finally:
        discard(staged)


async def commit_file(
    db: Database, space: FileSpace, uid: str, folder: str, path: str, staged: Staged, *, mtime: int | None = None
) -> Written:
    """Point ``path`` at the stored content: a new file, or new content for the same file id."""
    now = int(time.time())
    async with db.write() as conn:
        existing = await _writable_target(conn, uid, folder, path)
        _, quota_left = await _limit(conn, space, uid, existing)
        _refuse_size(space, staged.size, quota_left)
        await blobs.claim(conn, staged.key, staged.size, time.time())
        parent = await _parent(conn, uid, folder, path)
        etag = new_etag()
        mimetype = names.mimetype_of(names.base_of(path))
        when = mtime if mtime and mtime > 0 else now
        if existing is None:
            node_id = await node_store.insert(
                conn, owner=uid, parent_id=parent.id, path=path, name=names.base_of(path), is_dir=False, now=when,
                etag=etag, mimetype=mimetype, size=staged.size, blob_key=staged.key,
            )  # fmt: skip
        else:
            node_id = existing.id
            await node_store.replace_content(
                conn, node_id, blob_key=staged.key, size=staged.size, mtime=when, etag=etag, mimetype=mimetype
            )
        await node_store.touch(conn, parent.id, mtime=now, etag=new_etag())
        row = await node_store.by_id(conn, node_id)
    assert row is not None
    return Written(tree.from_node(row), existing is None)


async def put(
    db: Database,
    space: FileSpace,
    uid: str,
    folder: str,
    path: str,
    body: AsyncIterable[bytes],
    *,
    length: int | None,
    mtime: int | None,
) -> Written:
    staged = await stage_upload(db, space, uid, folder, path, body, length)
    await store_blob(db, space, staged)
    return await commit_file(db, space, uid, folder, path, staged, mtime=mtime)


async def mkcol(db: Database, uid: str, folder: str, path: str) -> Entry:
    async with db.write() as conn:
        if await tree.resolve(conn, uid, folder, path) is not None:
            raise MethodNotAllowed(message="The resource you tried to create already exists")
        parent = await _parent(conn, uid, folder, path)
        now = int(time.time())
        node_id = await node_store.insert(
            conn, owner=uid, parent_id=parent.id, path=path, name=names.base_of(path), is_dir=True, now=now,
            etag=new_etag(), mimetype=names.FOLDER_TYPE,
        )  # fmt: skip
        await node_store.touch(conn, parent.id, mtime=now, etag=new_etag())
        row = await node_store.by_id(conn, node_id)
    assert row is not None
    return tree.from_node(row)


async def delete(db: Database, uid: str, folder: str, path: str) -> None:
    async with db.write() as conn:
        entry = await tree.resolve(conn, uid, folder, path)
        if entry is None:
            raise NotFound(message=f"File with name {path} could not be located")
        if not entry.mine or not path:
            raise Forbidden(message="You may not delete this")
        row = await node_store.by_id(conn, entry.id)
        assert row is not None
        await node_store.delete_tree(conn, row)
        # The bytes stay until the clean-up finds them unreferenced (storage/files/blobs.py).


async def move(db: Database, uid: str, folder: str, source: str, target: str, *, overwrite: bool) -> Written:
    async with db.write() as conn:
        entry = await tree.resolve(conn, uid, folder, source)
        if entry is None:
            raise NotFound(message=f"File with name {source} could not be located")
        if not entry.mine or not source:
            raise Forbidden(message="You may not move this")
        if not target or target == source or target.startswith(source + "/"):
            raise Conflict(message="Cannot move a folder into itself")
        parent = await _parent(conn, uid, folder, target)
        existing = await tree.resolve(conn, uid, folder, target)
        if existing is not None:
            if not overwrite:
                raise PreconditionFailed(message="The destination exists and Overwrite is F")
            if not existing.mine:
                raise Forbidden(message="A file shared with you cannot be overwritten")
            row = await node_store.by_id(conn, existing.id)
            assert row is not None
            await node_store.delete_tree(conn, row)
        source_row = await node_store.by_id(conn, entry.id)
        assert source_row is not None
        now = int(time.time())
        await node_store.move(
            conn, source_row, parent_id=parent.id, path=target, name=names.base_of(target), now=now, etag=new_etag()
        )
        await node_store.touch(conn, parent.id, mtime=now, etag=new_etag())
        moved = await node_store.by_id(conn, entry.id)
    assert moved is not None
    return Written(tree.from_node(moved), existing is None)
