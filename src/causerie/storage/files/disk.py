"""The embedded blob store: files under the data directory, named by the SHA-256 of their bytes.

An object is written as a scratch file (fsynced while it was staged), renamed into place (atomic
on one filesystem) and its folder fsynced: a crash leaves either no object or the whole one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from causerie.storage.files.scratch import Scratch, Staged
from causerie.storage.files.store import READ_CHUNK


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DiskBlobStore:
    kind = "disk"

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, key: str) -> Path:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError("not a blob key")
        return self.root / key[:2] / key[2:4] / key

    def _save(self, staged: Staged) -> None:
        final = self.path_of(staged.key)
        if final.exists():
            staged.path.unlink(missing_ok=True)
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged.path, final)
        _fsync_dir(final.parent)

    async def save(self, staged: Staged) -> None:
        await asyncio.to_thread(self._save, staged)

    async def read(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        file = await asyncio.to_thread(open, self.path_of(key), "rb")
        try:
            await asyncio.to_thread(file.seek, start)
            left = end - start
            while left > 0:
                piece = await asyncio.to_thread(file.read, min(READ_CHUNK, left))
                if not piece:
                    raise OSError(f"blob {key} is shorter than its record")
                left -= len(piece)
                yield piece
        finally:
            file.close()

    @contextlib.asynccontextmanager
    async def local(self, key: str, scratch: Scratch) -> AsyncIterator[Path]:
        yield self.path_of(key)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path_of(key).exists)

    def _delete(self, keys: Sequence[str]) -> None:
        for key in keys:
            self.path_of(key).unlink(missing_ok=True)

    async def delete_many(self, keys: Sequence[str]) -> None:
        await asyncio.to_thread(self._delete, keys)

    async def close(self) -> None:
        return None
