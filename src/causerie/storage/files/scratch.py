"""Scratch space for bytes on their way into a store: one folder per process, held by a lock.

Uploads are streamed into a temporary file here (hashed and counted on the way), fsynced, and only
then handed to the store under their content's key. A process that dies (even by kill -9) leaves
its folder behind unlocked; ``sweep`` removes such folders, never a living process's.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import os
import secrets
import shutil
import time
from collections.abc import AsyncIterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

# Bytes gathered before one write (and hash update) on a worker thread: fewer thread hops.
WRITE_BATCH = 1024 * 1024
LOCK_NAME = ".lock"
# A folder still being set up carries this prefix; one left behind that long is a crash's.
NEW_PREFIX = ".new-"
NEW_STALE_S = 3600


class TooLarge(Exception):
    """More bytes came than the limit allowed; nothing was kept."""


@dataclass(frozen=True)
class Staged:
    """Bytes in a scratch file: where, how many, and their SHA-256 (the key they are stored under)."""

    path: Path
    size: int
    key: str


def _write(file: IO[bytes], digest: Any, parts: list[bytes]) -> None:
    for part in parts:
        file.write(part)
        digest.update(part)


def _finish(file: IO[bytes]) -> None:
    file.flush()
    os.fsync(file.fileno())
    file.close()


class Scratch:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._dir: Path | None = None
        self._lock: int | None = None

    def open(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"{os.getpid()}-{secrets.token_hex(4)}"
        new = self.root / (NEW_PREFIX + name)
        new.mkdir(mode=0o700)
        fd = os.open(new / LOCK_NAME, os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # Renamed only once locked: a sweep never sees it unlocked under its final name.
        final = self.root / name
        new.rename(final)
        self._dir, self._lock = final, fd

    @property
    def dir(self) -> Path:
        if self._dir is None:
            self.open()
        assert self._dir is not None
        return self._dir

    def new_path(self) -> Path:
        return self.dir / secrets.token_hex(16)

    async def stage(self, chunks: AsyncIterable[bytes], limit: int) -> Staged:
        """Stream ``chunks`` into a new scratch file; ``TooLarge`` (and nothing kept) past ``limit``."""
        path = self.new_path()
        file = await asyncio.to_thread(open, path, "wb")
        digest = hashlib.sha256()
        size = buffered = 0
        parts: list[bytes] = []
        try:
            async for chunk in chunks:
                if not chunk:
                    continue
                size += len(chunk)
                if size > limit:
                    raise TooLarge(size)
                parts.append(chunk)
                buffered += len(chunk)
                if buffered >= WRITE_BATCH:
                    await asyncio.to_thread(_write, file, digest, parts)
                    parts, buffered = [], 0
            if parts:
                await asyncio.to_thread(_write, file, digest, parts)
            await asyncio.to_thread(_finish, file)
        except BaseException:
            file.close()
            with contextlib.suppress(OSError):
                path.unlink()
            raise
        return Staged(path, size, digest.hexdigest())

    def close(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
        if self._lock is not None:
            os.close(self._lock)
        self._dir = self._lock = None


def discard(staged: Staged) -> None:
    with contextlib.suppress(OSError):
        staged.path.unlink()


def sweep(root: Path) -> int:
    """Remove the scratch folders of processes that are gone; returns how many."""
    if not root.is_dir():
        return 0
    removed = 0
    for entry in root.iterdir():
        if not entry.is_dir():
            continue
        if entry.name.startswith(NEW_PREFIX):
            if time.time() - entry.stat().st_mtime > NEW_STALE_S:
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
            continue
        if _abandoned(entry):
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    return removed


def _abandoned(folder: Path) -> bool:
    try:
        fd = os.open(folder / LOCK_NAME, os.O_RDWR)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # its process holds it
    finally:
        os.close(fd)
    return True
