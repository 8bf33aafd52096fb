"""Fresh users for notification tests: what another test left in a shared user's list cannot
disturb an ETag or a "nothing was notified" check."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import pytest

from causerie.services.accounts import users
from causerie.storage.db import Database
from tests.support.client import TalkClient
from tests.support.server import ServerProcess

PASSWORD = "fresh-pass-1"


async def _create(database_url: str, uid: str, name: str) -> None:
    db = Database(database_url)
    try:
        async with db.write() as conn:
            await users.create(conn, uid, PASSWORD, name)
    finally:
        await db.dispose()


@pytest.fixture
def fresh_user(server: ServerProcess, make_client: Callable[..., TalkClient]) -> Callable[[str], TalkClient]:
    """``fresh_user("Bob")``: a new user whose display name is Bob (made in the database, as the
    seed makes the test users: quicker than an ``occ`` process per user)."""

    def make(name: str) -> TalkClient:
        uid = f"{name.lower()}-{uuid.uuid4().hex[:6]}"
        asyncio.run(_create(server.database_url, uid, name))
        return make_client(uid, password=PASSWORD)

    return make
