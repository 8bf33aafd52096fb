"""Previews and image metadata, made off the event loop (at most ``PREVIEW_WORKERS`` at once per
process) and cached on local disk by content and size."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from pathlib import Path

from causerie.services.errors import BadRequest, NotFound
from causerie.services.files import imaging
from causerie.services.files.space import FileSpace
from causerie.services.files.tree import Entry
from causerie.storage.db import Database
from causerie.storage.files import nodes as node_store

PREVIEW_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp")
HAS_PREVIEW = 1
NO_PREVIEW = 2


def previewable(entry: Entry) -> bool:
    return entry.mimetype in PREVIEW_TYPES and entry.size > 0 and entry.blob_key is not None


async def ensure_metadata(db: Database, space: FileSpace, entry: Entry) -> Entry:
    """Width, height and blurhash of an image, looked at once per content."""
    if entry.preview_state != 0 or entry.blob_key is None:
        return entry
    if not previewable(entry):
        state, meta = NO_PREVIEW, None
    else:
        try:
            async with space.preview_slots, space.store.local(entry.blob_key, space.scratch) as path:
                meta = await asyncio.to_thread(imaging.inspect, path)
            state = HAS_PREVIEW
        except imaging.NoPreview:
            state, meta = NO_PREVIEW, None
    width, height, hash_ = (meta.width, meta.height, meta.blurhash) if meta else (None, None, None)
    async with db.write() as conn:
        await node_store.set_preview(conn, entry.id, entry.blob_key, state, width, height, hash_)
    return replace(entry, preview_state=state, width=width, height=height, blurhash=hash_)


def _size(value: int | None, name: str) -> int:
    if value is None:
        return -1
    if value == 0 or value < -1:
        raise BadRequest(message=f"{name} must be positive or -1")
    return value


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + f".{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


async def preview(
    db: Database, space: FileSpace, entry: Entry, x: int | None, y: int | None, *, cover: bool
) -> tuple[Path, str]:
    """(cached file, content type) of a preview for a request of ``x`` × ``y``; 404 when none."""
    width, height = _size(x, "x"), _size(y, "y")
    entry = await ensure_metadata(db, space, entry)
    if entry.preview_state != HAS_PREVIEW or not entry.width or not entry.height or entry.blob_key is None:
        raise NotFound(message="No preview for this file")
    side = imaging.bucket(entry.width, entry.height, width, height, cover)
    folder = space.previews_dir / entry.blob_key[:2] / entry.blob_key
    for suffix, media in ((".jpg", "image/jpeg"), (".png", "image/png")):
        cached = folder / f"{side}{suffix}"
        if cached.exists():
            return cached, media
    try:
        async with space.preview_slots, space.store.local(entry.blob_key, space.scratch) as path:
            data, media = await asyncio.to_thread(imaging.render, path, side)
    except imaging.NoPreview:
        raise NotFound(message="No preview for this file") from None
    cached = folder / f"{side}{'.png' if media == 'image/png' else '.jpg'}"
    await asyncio.to_thread(_write, cached, data)
    return cached, media
