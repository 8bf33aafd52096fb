"""Several Causerie processes on one PostgreSQL database with Redis carrying the wake-ups: a client
long-polling one process gets a message sent through another, at once."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import fresh_postgres_database
from tests.support.client import OCS_HEADERS
from tests.support.server import ServerProcess, password_of

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

TALK = "/ocs/v2.php/apps/spreed/api"
# The poll asks the server to wait far longer than the client is willing to: only a wake-up that
# crosses processes can answer it in time.
SERVER_POLL_TIMEOUT = 60
CLIENT_WAIT = 30


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    yield from fresh_postgres_database()


@pytest.fixture(scope="module")
def two_processes(
    pg_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    broker = f"{redis_url.rsplit('/', 1)[0]}/7?channel=causerie-test-{uuid.uuid4().hex}"
    first = ServerProcess(_data(tmp_path_factory, "p1"), pg_url, broker_url=broker)
    second = ServerProcess(_data(tmp_path_factory, "p2"), pg_url, broker_url=broker)
    first.seed()
    # Both start at once, as a service manager starts them; they must not race on the migrations.
    errors: list[BaseException] = []

    def start(process: ServerProcess) -> None:
        try:
            process.start()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(p,)) for p in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert not errors, errors
        yield first, second
    finally:
        first.stop()
        second.stop()


def _data(factory: pytest.TempPathFactory, name: str) -> Path:
    return factory.mktemp(name)


def _client(process: ServerProcess, user: str, timeout: float = CLIENT_WAIT) -> httpx.Client:
    return httpx.Client(base_url=process.base_url, auth=(user, password_of(user)), headers=OCS_HEADERS, timeout=timeout)


def test_a_poll_on_one_process_is_answered_by_a_send_through_another(
    two_processes: tuple[ServerProcess, ServerProcess],
) -> None:
    first, second = two_processes
    with _client(first, "alice") as alice, _client(second, "bob") as bob:
        created = alice.post(f"{TALK}/v4/room", json={"roomType": 2, "roomName": "scale-out"})
        assert created.status_code == 201, created.text
        token = created.json()["ocs"]["data"]["token"]
        added = alice.post(f"{TALK}/v4/room/{token}/participants", json={"newParticipant": "bob", "source": "users"})
        assert added.status_code == 200, added.text
        history = alice.get(f"{TALK}/v1/chat/{token}", params={"lookIntoFuture": 0, "limit": 1})
        last = int(history.headers["X-Chat-Last-Given"])

        for round_ in range(3):
            result: dict[str, httpx.Response | BaseException] = {}

            def poll(last_known: int = last, result: dict[str, httpx.Response | BaseException] = result) -> None:
                try:
                    result["poll"] = alice.get(
                        f"{TALK}/v1/chat/{token}",
                        params={
                            "lookIntoFuture": 1,
                            "lastKnownMessageId": last_known,
                            "timeout": SERVER_POLL_TIMEOUT,
                            "setReadMarker": 0,
                        },
                    )
                except BaseException as exc:
                    result["poll"] = exc

            poller = threading.Thread(target=poll)
            poller.start()
            # Give the poll a moment to park (if it has not, it finds the message at once and the
            # round proves less, but nothing fails).
            time.sleep(0.5)
            sent = bob.post(f"{TALK}/v1/chat/{token}", json={"message": f"across processes {round_}"})
            assert sent.status_code == 201, sent.text
            poller.join()
            response = result["poll"]
            assert isinstance(response, httpx.Response), f"the poll on process 1 was not answered: {response!r}"
            assert response.status_code == 200, response.text
            messages = response.json()["ocs"]["data"]
            assert [m["message"] for m in messages] == [f"across processes {round_}"]
            last = messages[-1]["id"]
