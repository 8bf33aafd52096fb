"""Fixtures of the API tests that need a server of their own: web push to a push service on
loopback (tests/api/push, and the push flags' probes in tests/api/config), and a server whose clock
the tests move (``CAUSERIE_TESTING``: bots, reminders)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.conftest import fresh_postgres_database
from tests.support.client import TalkClient
from tests.support.push_service import PushService
from tests.support.server import ServerProcess, seeded_server
from tests.support.server import test_database_kind as database_kind


@pytest.fixture(scope="module")
def push_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PushService]:
    service = PushService(tmp_path_factory.mktemp("push"))
    yield service
    service.close()


@pytest.fixture(scope="module")
def push_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own: this server's job runner is the only one that sends its pushes."""
    if database_kind() == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('push-db') / 'causerie.db'}"
    else:
        yield from fresh_postgres_database()


@pytest.fixture(scope="module")
def push_server(
    tmp_path_factory: pytest.TempPathFactory, push_service: PushService, push_database: str
) -> Iterator[ServerProcess]:
    process = ServerProcess(
        tmp_path_factory.mktemp("push-data"), push_database, extra_env={"SSL_CERT_FILE": str(push_service.cert_path)}
    )
    process.seed()
    process.start()
    # The push service is on loopback: allowed only by the administrator's switch.
    process.occ("config:app:set", "core", "allow_local_remote_servers", "--value", "true", "--type", "boolean")
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def testing_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if database_kind() == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('testing-db') / 'causerie.db'}"
    else:
        yield from fresh_postgres_database()


@pytest.fixture(scope="module")
def testing_server(tmp_path_factory: pytest.TempPathFactory, testing_database: str) -> Iterator[ServerProcess]:
    """A server whose clock the tests move (``advance_clock``), with ``admin`` an administrator."""
    with seeded_server(
        tmp_path_factory.mktemp("testing-data"), testing_database, extra_env={"CAUSERIE_TESTING": "1"}
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
