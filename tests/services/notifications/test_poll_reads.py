"""Re-polls woken together write their read markers in one transaction, and one bad write does
not take the others down."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from causerie.events.broker import LocalBroker
from causerie.events.hub import Hub
from causerie.services.accounts.users import User
from causerie.services.notifications.poll_reads import PollRead, PollReads
from causerie.services.rooms import rooms
from causerie.services.rooms.participants import Participant, Requester, find_participants
from causerie.storage.db import Conn, Database
from tests.support.client import TalkClient
from tests.support.talk import group_room, room, send

MEMBERS = ("bob", "carol", "dave")


class CountingDatabase(Database):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.writes = 0

    @asynccontextmanager
    async def _counted(self) -> AsyncIterator[Conn]:
        self.writes += 1
        async with super().write() as conn:
            yield conn

    def write(self) -> Any:
        return self._counted()


async def _participants(db: Database, token: str) -> tuple[rooms.Room, dict[str, Participant]]:
    async with db.read() as conn:
        found = await rooms.require(conn, token)
        result = {}
        for uid in MEMBERS:
            user = User(uid, uid)
            result[uid] = (await find_participants(conn, [found], user, Requester(user), admin_default=246))[found.id]
    return found, result


async def _apply_together(database_url: str, token: str, message_id: int, bad: str | None) -> list[Any]:
    db = CountingDatabase(database_url)
    try:
        found, participants = await _participants(db, token)
        reads = PollReads(db, LocalBroker(Hub()))
        # An id no database column holds: that one write fails.
        moves = {uid: (2**70 if uid == bad else message_id) for uid in MEMBERS}
        results = await asyncio.gather(
            *(reads.apply(PollRead(found, participants[uid], moves[uid], False)) for uid in MEMBERS),
            return_exceptions=True,
        )
        return [db.writes, *results]
    finally:
        await db.dispose()


@pytest.fixture
def chatted(alice: TalkClient) -> tuple[str, int]:
    token = group_room(alice, *MEMBERS)
    return token, int(send(alice, token, "for everyone")["id"])


def test_moves_woken_together_share_one_transaction(
    chatted: tuple[str, int], make_client: Callable[..., TalkClient], database_url: str
) -> None:
    token, message_id = chatted
    writes, *results = asyncio.run(_apply_together(database_url, token, message_id, bad=None))
    assert results == [None, None, None]
    assert writes == 1
    assert [room(make_client(uid), token)["lastReadMessage"] for uid in MEMBERS] == [message_id] * 3


def test_one_failing_move_leaves_the_others_written(
    chatted: tuple[str, int], make_client: Callable[..., TalkClient], database_url: str
) -> None:
    token, message_id = chatted
    _, *results = asyncio.run(_apply_together(database_url, token, message_id, bad="carol"))
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], Exception)
    markers = {uid: room(make_client(uid), token)["lastReadMessage"] for uid in MEMBERS}
    assert markers["bob"] == markers["dave"] == message_id
    assert markers["carol"] < message_id
