"""The clean-up of files nobody needs any more, run by every server's housekeeping and by
``occ files:cleanup``: abandoned chunked uploads, scratch folders of processes that died (even by
kill -9, mid-upload), and stored objects nothing refers to (storage/files/blobs.py says why this
is safe while uploads run)."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass

from causerie.services.files.space import BLOB_GRACE_S, UPLOAD_EXPIRY_S, FileSpace
from causerie.storage.db import Database
from causerie.storage.files import blobs
from causerie.storage.files import uploads as upload_store
from causerie.storage.files.scratch import sweep

BATCH = 200


@dataclass
class Cleaned:
    uploads: int = 0
    scratch_folders: int = 0
    blobs: int = 0


async def run(db: Database, space: FileSpace, *, now: float | None = None) -> Cleaned:
    now = time.time() if now is None else now
    cleaned = Cleaned()
    async with db.write() as conn:
        for upload_id in await upload_store.abandoned(conn, now - UPLOAD_EXPIRY_S):
            await upload_store.remove(conn, upload_id)
            cleaned.uploads += 1
    cleaned.scratch_folders = sweep(space.scratch.root)
    while True:
        async with db.write() as conn:
            gone = await blobs.delete_unreferenced(conn, now - BLOB_GRACE_S, space.store.delete_many, limit=BATCH)
        for key in gone:
            shutil.rmtree(space.previews_dir / key[:2] / key, ignore_errors=True)
        cleaned.blobs += len(gone)
        if len(gone) < BATCH:
            return cleaned
