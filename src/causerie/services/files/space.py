"""What a process holds for files: the blob store, its scratch folder, limits and the previewer's
bound on concurrent work."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from causerie.settings import Settings
from causerie.storage.files.choose import create_store
from causerie.storage.files.scratch import Scratch
from causerie.storage.files.store import BlobStore

# Previews are made on worker threads, at most this many at once per process.
PREVIEW_WORKERS = 2
# An object claimed this long ago and still unreferenced is garbage (storage/files/blobs.py).
BLOB_GRACE_S = 3600.0
# Chunked uploads untouched this long are abandoned (Nextcloud's UploadCleanup: a day).
UPLOAD_EXPIRY_S = 24 * 3600.0


@dataclass
class FileSpace:
    store: BlobStore
    scratch: Scratch
    previews_dir: Path
    max_upload: int
    preview_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(PREVIEW_WORKERS))

    @classmethod
    def create(cls, settings: Settings) -> FileSpace:
        root = settings.files_dir
        return cls(
            store=create_store(settings),
            scratch=Scratch(root / "tmp"),
            previews_dir=root / "previews",
            max_upload=settings.max_upload_bytes,
        )

    async def close(self) -> None:
        self.scratch.close()
        await self.store.close()
