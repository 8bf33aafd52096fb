"""The room list reads a constant number of statements whatever the number of rooms, and its
unread counters stop at a cap instead of counting every unread message."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from causerie.services.accounts.users import User
from causerie.services.config.appconfig import AppConfig
from causerie.services.config.talk_config import APP
from causerie.services.room_format import UNREAD_CAP, Viewer, format_rooms
from causerie.services.rooms import rooms
from causerie.services.rooms.actors import USERS, Actor
from causerie.services.rooms.participants import Requester, admin_default_permissions, find_participants
from causerie.storage.chat import messages as message_store
from causerie.storage.db import Conn, Database
from tests.support.client import TalkClient, data
from tests.support.server import ServerProcess
from tests.support.talk import group_room, room, send


class CountingConn:
    """A transaction handle that counts the statements sent through it."""

    def __init__(self, conn: Conn) -> None:
        self._conn = conn
        self.statements = 0

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        self.statements += 1
        return await self._conn.execute(statement, parameters)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


async def _list_statements(database_url: str, uid: str) -> tuple[int, int]:
    """(statements, rooms) of ``uid``'s room list, formatted as ``GET /room`` does."""
    db = Database(database_url)
    try:
        async with db.read() as raw:
            found = await rooms.of_user(raw, uid)
            config = await AppConfig.load(raw, APP)
            conn = CountingConn(raw)
            user = User(uid, uid)
            counted: Any = conn
            participants = await find_participants(
                counted, found, user, Requester(user), admin_default=admin_default_permissions(config)
            )
            listed = await format_rooms(counted, found, participants, Viewer(user, config))
            return conn.statements, len(listed)
    finally:
        await db.dispose()


def test_room_list_statements_do_not_grow_with_rooms(
    make_client: Callable[..., TalkClient], database_url: str, server: ServerProcess
) -> None:
    owner = make_client("dave")
    for i in range(2):
        send(owner, group_room(owner, "bob", name=f"small {i}"), "hello")
    few, few_rooms = asyncio.run(_list_statements(database_url, "dave"))
    for i in range(8):
        token = group_room(owner, "bob", "carol", name=f"more {i}")
        send(owner, token, f"hello {i}")
        reply = send(make_client("bob"), token, "**reply**")
        assert reply["id"]
    many, many_rooms = asyncio.run(_list_statements(database_url, "dave"))
    assert many_rooms == few_rooms + 8
    assert many == few


async def _seed_messages(database_url: str, token: str, count: int) -> None:
    db = Database(database_url)
    try:
        async with db.write() as conn:
            found = await rooms.require(conn, token)
            for i in range(count):
                await message_store.insert(
                    conn,
                    room_id=found.id,
                    actor=Actor(USERS, "alice", "alice"),
                    message_type="comment",
                    message=f"seeded {i}",
                    now=1_700_000_000,
                )
    finally:
        await db.dispose()


def test_unread_counters_stop_at_the_cap(
    alice: TalkClient, make_client: Callable[..., TalkClient], database_url: str
) -> None:
    bob = make_client("bob")
    below, at, above = (group_room(alice, "bob", name=f"cap {n}") for n in ("below", "at", "above"))
    for token in (below, at, above):
        # Bob has read everything so far (the system messages of the new room).
        bob.post(f"apps/spreed/api/v1/chat/{token}/read", json={})
    asyncio.run(_seed_messages(database_url, below, UNREAD_CAP - 1))
    asyncio.run(_seed_messages(database_url, at, UNREAD_CAP))
    asyncio.run(_seed_messages(database_url, above, UNREAD_CAP + 1))
    listed = {r["token"]: r["unreadMessages"] for r in data(bob.get("apps/spreed/api/v4/room"))}
    assert [listed[below], listed[at], listed[above]] == [UNREAD_CAP - 1, UNREAD_CAP, UNREAD_CAP]
    # A single room reads the same counter as the list.
    assert [room(bob, t)["unreadMessages"] for t in (below, at, above)] == [UNREAD_CAP - 1, UNREAD_CAP, UNREAD_CAP]
