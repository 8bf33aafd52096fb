"""Users' and guests' avatars: an uploaded picture, or the user's initials drawn on request."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections import OrderedDict
from dataclasses import dataclass

from causerie.services.accounts import users
from causerie.services.avatars import images
from causerie.storage.avatars import avatars as store
from causerie.storage.db import Conn, Database

# Bumped when the drawing changes, so that clients holding an ETag fetch the new picture.
GENERATOR = "1"
_CACHE_ENTRIES = 2048


@dataclass(frozen=True)
class Served:
    data: bytes
    mime: str
    custom: bool
    etag: str


class _Drawn:
    """Generated and scaled pictures by ETag (a 64 px avatar is drawn or scaled once, then served
    from memory: a conversation list asks for dozens at a time)."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, bytes] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: str, data: bytes) -> None:
        self._entries[key] = data
        while len(self._entries) > _CACHE_ENTRIES:
            self._entries.popitem(last=False)


_drawn = _Drawn()


def _tag(*parts: object) -> str:
    return hashlib.sha1("\x00".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()


async def _draw(etag: str, key: str, name: str, size: int, dark: bool) -> bytes:
    data = _drawn.get(etag)
    if data is None:
        data = await asyncio.to_thread(images.generated, key, name, size, dark)
        _drawn.put(etag, data)
    return data


async def user_avatar(db: Database, uid: str, size: int, dark: bool) -> Served | None:
    """The avatar of ``uid`` at the size served for ``size``; None for an unknown user."""
    size = images.served_size(size)
    async with db.read() as conn:
        user = await users.get(conn, uid)
        row = None if user is None else await store.get_user(conn, uid)
    if user is None:
        return None
    if row is not None:
        etag = _tag("upload", uid, row.version, size)
        data = _drawn.get(etag)
        if data is None:
            data = await asyncio.to_thread(images.scaled, images.Picture(row.mime, bytes(row.data)), size)
            _drawn.put(etag, data)
        return Served(data, row.mime, True, etag)
    etag = _tag("generated", GENERATOR, uid, user.display_name, size, dark)
    return Served(await _draw(etag, uid, user.display_name, size, dark), images.PNG, False, etag)


async def guest_avatar(name: str, size: int, dark: bool) -> Served:
    size = images.served_size(size)
    etag = _tag("guest", GENERATOR, name, size, dark)
    return Served(await _draw(etag, name, name, size, dark), images.PNG, False, etag)


async def upload(db: Database, uid: str, data: bytes, now: int) -> None:
    """Nextcloud keeps square avatars; a picture of another shape keeps its centre square."""
    picture = await asyncio.to_thread(images.decode_upload, data, square=False)
    async with db.write() as conn:
        await store.set_user(conn, uid, secrets.token_hex(8), picture.mime, picture.data, now)


async def remove(conn: Conn, uid: str) -> None:
    await store.delete_user(conn, uid)
