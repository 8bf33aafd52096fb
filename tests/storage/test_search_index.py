"""The full-text index of migration 0003 follows every change to messages, whichever storage
function makes it, on the test database's engine (SQLite FTS5 or PostgreSQL tsvector)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from causerie.storage.chat import messages
from causerie.storage.db import Conn, Database
from causerie.storage.migrate import upgrade
from causerie.storage.rooms import rooms
from causerie.storage.search import messages as index


class Author:
    type = "users"
    id = "alice"
    display_name = "Alice Adams"


def run(database_url: str, body: Callable[[Database], Awaitable[Any]]) -> Any:
    async def go() -> Any:
        db = Database(database_url)
        try:
            await upgrade(db)
            return await body(db)
        finally:
            await db.dispose()

    return asyncio.run(go())


async def _room(conn: Conn) -> int:
    now = int(time.time())
    return await rooms.insert(conn, token=uuid.uuid4().hex[:16], type=2, name="Index probe", created_at=now)


async def _found(db: Database, word: str, room_ids: list[int], *, now: int = 0) -> list[int]:
    async with db.read() as conn:
        return [hit.id for hit in await index.search(conn, [word], room_ids, now=now, limit=25, offset=0)]


async def _comment(conn: Conn, room_id: int, text: str, **kw: Any) -> int:
    row = await messages.insert(conn, room_id=room_id, actor=Author(), message_type="comment", message=text,
                                now=int(time.time()), **kw)  # fmt: skip
    return int(row.id)


def test_inserts_edits_stubs_and_deletions_move_the_index(database_url: str) -> None:
    key, other = "k" + uuid.uuid4().hex[:10], "o" + uuid.uuid4().hex[:10]

    async def body(db: Database) -> None:
        async with db.write() as conn:
            room_id = await _room(conn)
            kept = await _comment(conn, room_id, f"keep {key}")
            edited = await _comment(conn, room_id, f"edit {key}")
            stubbed = await _comment(conn, room_id, f"stub {key}")
            mention = await _comment(
                conn, room_id, f"{{mention-user1}} {key}",
                parameters={"mention-user1": {"type": "user", "id": "bob", "name": f"Bob {other}"}},
            )  # fmt: skip
            await messages.insert(conn, room_id=room_id, actor=Author(), message_type="system", message=key,
                                  system_message="conversation_renamed", now=0)  # fmt: skip
        assert sorted(await _found(db, key, [room_id])) == [kept, edited, stubbed, mention]
        assert await _found(db, other, [room_id]) == [mention]
        assert await _found(db, "mention", [room_id]) == []
        async with db.write() as conn:
            await messages.edit(conn, edited, message="edited away", parameters={}, editor=Author(), now=1)
            await messages.replace(conn, stubbed, message_type="comment_deleted", system_message="", message="",
                                   parameters={})  # fmt: skip
        assert sorted(await _found(db, key, [room_id])) == [kept, mention]
        assert await _found(db, "edited", [room_id]) == [edited]
        async with db.write() as conn:
            await messages.delete_all(conn, room_id)
        assert await _found(db, key, [room_id]) == []

    run(database_url, body)


def test_a_deleted_room_and_expired_messages_are_not_found(database_url: str) -> None:
    key = "k" + uuid.uuid4().hex[:10]

    async def body(db: Database) -> None:
        async with db.write() as conn:
            doomed, other = await _room(conn), await _room(conn)
            await _comment(conn, doomed, f"doomed {key}")
            expiring = await _comment(conn, other, f"expiring {key}", expire_at=1000)
        assert await _found(db, key, [doomed]) != []
        assert await _found(db, key, [other], now=999) == [expiring]
        assert await _found(db, key, [other], now=1000) == []
        async with db.write() as conn:
            await rooms.delete_room(conn, doomed)
        assert await _found(db, key, [doomed, other], now=1000) == []

    run(database_url, body)
