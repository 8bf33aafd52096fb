"""Both blob stores pass the same tests: the disk store and S3 against a real S3-compatible server
(moto's standalone server, started here)."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from causerie.storage.files.disk import DiskBlobStore
from causerie.storage.files.s3 import S3BlobStore
from causerie.storage.files.scratch import Scratch, TooLarge
from causerie.storage.files.store import BlobStore
from tests.support.server import free_port, start_process


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_process(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env={"PATH": "/usr/bin:/bin"},
        log_path=tmp_path_factory.mktemp("moto") / "moto.log",
        ready_url=f"{url}/moto-api/",
        name="moto",
    )
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def s3_store(endpoint: str, bucket: str) -> S3BlobStore:
    assert httpx.put(f"{endpoint}/{bucket}").status_code == 200
    return S3BlobStore(bucket=bucket, endpoint=endpoint, region="us-east-1", access_key="test", secret_key="test")


@pytest.fixture(params=["disk", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "disk":
        return DiskBlobStore(tmp_path / "blobs")
    return s3_store(request.getfixturevalue("s3_endpoint"), f"bucket-{tmp_path.name[-8:].lower().replace('_', '-')}")


async def _pieces(data: bytes, size: int = 70_000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def _read(store: BlobStore, key: str, start: int, end: int) -> bytes:
    return b"".join([piece async for piece in store.read(key, start, end)])


def test_a_stored_object_reads_back_whole_and_in_ranges(store: BlobStore, tmp_path: Path) -> None:
    data = bytes(range(256)) * 40_000  # 10 MiB: a multipart upload on S3

    async def scenario() -> None:
        scratch = Scratch(tmp_path / "tmp")
        staged = await scratch.stage(_pieces(data), len(data))
        assert staged.key == hashlib.sha256(data).hexdigest() and staged.size == len(data)
        await store.save(staged)
        assert not staged.path.exists()
        assert await store.exists(staged.key)
        assert await _read(store, staged.key, 0, len(data)) == data
        assert await _read(store, staged.key, 1000, 1010) == data[1000:1010]
        async with store.local(staged.key, scratch) as path:
            assert path.read_bytes() == data
        # The same bytes again: harmless.
        await store.save(await scratch.stage(_pieces(data), len(data)))
        await store.delete_many([staged.key])
        assert not await store.exists(staged.key)
        await store.delete_many([staged.key])  # missing: no error
        scratch.close()

    asyncio.run(scenario())


def test_staging_past_the_limit_keeps_nothing(tmp_path: Path) -> None:
    scratch = Scratch(tmp_path / "tmp")

    async def scenario() -> None:
        with pytest.raises(TooLarge):
            await scratch.stage(_pieces(b"x" * 100_000), 99_999)

    asyncio.run(scenario())
    assert [p.name for p in scratch.dir.iterdir()] == [".lock"]
    scratch.close()


def test_scratch_of_a_dead_process_is_swept_and_a_living_one_kept(tmp_path: Path) -> None:
    from causerie.storage.files.scratch import sweep

    root = tmp_path / "tmp"
    code = (
        "import os,sys; from pathlib import Path; from causerie.storage.files.scratch import Scratch;"
        f"s=Scratch(Path({str(root)!r})); s.open(); s.new_path().write_bytes(b'half'); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    mine = Scratch(root)
    mine.open()
    assert len(list(root.iterdir())) == 2
    assert sweep(root) == 1
    assert [p for p in root.iterdir()] == [mine.dir]
    mine.close()
