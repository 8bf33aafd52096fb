"""Long-polls over long messages: the server's memory stays bounded while clients page through them."""

from __future__ import annotations

from collections.abc import Iterator

import psutil
import pytest

from tests.conftest import fresh_postgres_database
from tests.support import server as support
from tests.support.client import TalkClient, data
from tests.support.server import ServerProcess
from tests.support.talk import CHAT, group_room, send

MESSAGE_CHARS = 30_000  # Talk's limit is 32,000
MESSAGES = 180
POLLS = 80  # each a different question, so none can reuse another's read
PAGE = 100  # Talk's default limit: a page holds about 3 MB of text
MIB = 1024 * 1024
# A page of 100 such messages holds about 6 MiB (the text in the rows, and again in the encoded
# body): kept by number, the 80 pages grew the process by some 460 MiB. The kept pages' budget is
# 32 MiB by default; the rest of the bound is room for the allocator and the answer being written.
GROWTH_BOUND = 160 * MIB


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server of its own: its memory must only show what this test does."""

    def run(url: str) -> Iterator[ServerProcess]:
        with support.seeded_server(
            tmp_path_factory.mktemp("memory"), url, extra_env={"CAUSERIE_LOG_REQUESTS": "0"}
        ) as process:
            yield process

    if support.test_database_kind() == "sqlite":
        yield from run(f"sqlite:///{tmp_path_factory.mktemp('memorydb') / 'memory.db'}")
        return
    for url in fresh_postgres_database():
        yield from run(url)


def _rss(process: ServerProcess) -> int:
    assert process.proc is not None
    return int(psutil.Process(process.proc.pid).memory_info().rss)


def test_polls_over_long_messages_do_not_grow_the_server_without_bound(own_server: ServerProcess) -> None:
    alice = TalkClient(own_server.base_url, "alice")
    # Pages of 3 MB are not worth checking against the OpenAPI 80 times; the shape is tested elsewhere.
    bob = TalkClient(own_server.base_url, "bob", validate=False)
    try:
        token = group_room(alice, "bob", name="Long reads")
        ids = [
            int(send(alice, token, f"{n:04d} " + "lorem ipsum dolor sit amet " * (MESSAGE_CHARS // 27))["id"])
            for n in range(MESSAGES)
        ]

        def poll(after: int) -> list[dict[str, object]]:
            params = {"lookIntoFuture": 1, "lastKnownMessageId": after, "limit": PAGE, "timeout": 0}
            response = bob.get(f"{CHAT}/{token}", params=params)
            assert response.status_code == 200, response.text[:500]
            return list(data(response))

        # One poll first, so that the baseline includes what any answer of this size costs.
        assert len(poll(ids[-PAGE - 1])) == PAGE
        before = _rss(own_server)
        for after in ids[:POLLS]:
            page = poll(after)
            assert page[0]["id"] == ids[ids.index(after) + 1]
            assert len(str(page[0]["message"])) >= MESSAGE_CHARS
        grown = _rss(own_server) - before
        assert grown < GROWTH_BOUND, f"the server grew by {grown // MIB} MiB over {POLLS} polls"
    finally:
        alice.close()
        bob.close()
