"""The one interface every blob store offers, and the store a process's settings choose."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Protocol

from causerie.storage.files.scratch import Scratch, Staged

# Bytes handed on per read: large enough for throughput, small enough to keep memory flat.
READ_CHUNK = 256 * 1024


class BlobStore(Protocol):
    """Content-addressed bytes: an object's key is the SHA-256 of its bytes, so writing the same
    bytes twice is harmless and an object never changes once written."""

    kind: str

    async def save(self, staged: Staged) -> None:
        """Make ``staged.key`` hold the staged bytes (the scratch file is consumed)."""

    def read(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        """Bytes ``start`` to ``end`` (exclusive) of the object, in pieces."""

    def local(self, key: str, scratch: Scratch) -> AbstractAsyncContextManager[Path]:
        """A local file holding the object for as long as the context lasts (for the previewer)."""

    async def exists(self, key: str) -> bool: ...

    async def delete_many(self, keys: Sequence[str]) -> None:
        """Delete objects; missing ones are no error."""

    async def close(self) -> None: ...
