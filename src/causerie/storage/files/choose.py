"""The blob store a process's settings choose."""

from __future__ import annotations

from causerie.settings import Settings
from causerie.storage.files.store import BlobStore


def create_store(settings: Settings) -> BlobStore:
    if settings.files_store == "s3":
        from causerie.storage.files.s3 import S3BlobStore

        return S3BlobStore(
            bucket=settings.s3_bucket,
            endpoint=settings.s3_endpoint,
            region=settings.s3_region,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
        )
    from causerie.storage.files.disk import DiskBlobStore

    return DiskBlobStore(settings.files_dir / "blobs")
