"""S3-compatible object storage (AWS S3, MinIO, Garage, …) through obstore.

Objects are written from the scratch file the upload was staged in (multipart above 5 MiB, two
parts in flight, so memory stays flat) under ``blobs/<sha256>``, and read back in ranges.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import obstore
from obstore.exceptions import NotFoundError
from obstore.store import S3Store

from causerie.storage.files.scratch import Scratch, Staged
from causerie.storage.files.store import READ_CHUNK

PART_SIZE = 5 * 1024 * 1024
PARTS_IN_FLIGHT = 2
PREFIX = "blobs/"


class S3BlobStore:
    kind = "s3"

    def __init__(
        self,
        *,
        bucket: str,
        endpoint: str | None,
        region: str,
        access_key: str,
        secret_key: str,
    ) -> None:
        config: dict[str, Any] = {"region": region}
        if access_key:
            config["access_key_id"] = access_key
            config["secret_access_key"] = secret_key
        client: dict[str, Any] = {}
        if endpoint:
            # Self-hosted servers (MinIO, Garage) answer path-style requests on their own address.
            config["endpoint"] = endpoint
            config["virtual_hosted_style_request"] = False
            client["allow_http"] = endpoint.startswith("http://")
        self._store = S3Store(bucket, config=config, client_options=client)  # type: ignore[arg-type]

    def _path(self, key: str) -> str:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError("not a blob key")
        return PREFIX + key

    async def save(self, staged: Staged) -> None:
        try:
            await obstore.put_async(
                self._store,
                self._path(staged.key),
                staged.path,
                chunk_size=PART_SIZE,
                max_concurrency=PARTS_IN_FLIGHT,
            )
        finally:
            staged.path.unlink(missing_ok=True)

    async def read(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        if end <= start:
            return
        result = await obstore.get_async(self._store, self._path(key), options={"range": (start, end)})
        async for piece in result.stream(min_chunk_size=READ_CHUNK):
            yield bytes(piece)

    @contextlib.asynccontextmanager
    async def local(self, key: str, scratch: Scratch) -> AsyncIterator[Path]:
        path = scratch.new_path()
        try:
            head = await obstore.head_async(self._store, self._path(key))
            with path.open("wb") as file:
                async for piece in self.read(key, 0, int(head["size"])):
                    file.write(piece)
            yield path
        finally:
            path.unlink(missing_ok=True)

    async def exists(self, key: str) -> bool:
        try:
            await obstore.head_async(self._store, self._path(key))
        except (NotFoundError, FileNotFoundError):
            return False
        return True

    async def delete_many(self, keys: Sequence[str]) -> None:
        if keys:
            await obstore.delete_async(self._store, [self._path(key) for key in keys])

    async def close(self) -> None:
        return None
