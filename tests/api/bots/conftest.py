"""A server of their own for the bot and reminder tests: its clock is moved (``CAUSERIE_TESTING``)
and its job runner is the only one delivering its webhooks."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.conftest import fresh_postgres_database
from tests.support.client import TalkClient
from tests.support.server import ServerProcess, seeded_server
from tests.support.server import test_database_kind as database_kind


@pytest.fixture(scope="module")
def own_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if database_kind() == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('bots-db') / 'causerie.db'}"
    else:
        yield from fresh_postgres_database()


@pytest.fixture(scope="module")
def testing_server(tmp_path_factory: pytest.TempPathFactory, own_database: str) -> Iterator[ServerProcess]:
    with seeded_server(
        tmp_path_factory.mktemp("bots-data"), own_database, extra_env={"CAUSERIE_TESTING": "1"}
    ) as process:
        # The clock endpoint is for administrators.
        process.occ("group:add", "admin")
        process.occ("group:adduser", "admin", "admin")
        yield process


@pytest.fixture
def client_of(testing_server: ServerProcess) -> Iterator[Callable[[str], TalkClient]]:
    made: list[TalkClient] = []

    def make(user: str) -> TalkClient:
        client = TalkClient(testing_server.base_url, user)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


CLOCK = "apps/causerie/api/v1/clock"


def advance_clock(admin: TalkClient, seconds: int) -> float:
    """Move the server's clock forward; whatever became due runs."""
    response = admin.post(CLOCK, json={"seconds": seconds})
    assert response.status_code == 200, response.text
    return float(response.json()["ocs"]["data"]["now"])
