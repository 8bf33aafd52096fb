"""GET /metrics (Prometheus, behind a token) and GET /health, on a server of their own."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.client import TalkClient
from tests.support.server import ServerProcess, database_beside, free_port
from tests.support.talk import CHAT, group_room, history, send

TOKEN = "scrape-token-1234"
OCS = {"OCS-APIRequest": "true"}


@pytest.fixture(scope="module")
def observed(tmp_path_factory: pytest.TempPathFactory, server: ServerProcess) -> Iterator[ServerProcess]:
    """Beside the session's server (on PostgreSQL its seeded database, on SQLite a seeded copy)."""
    tmp = tmp_path_factory.mktemp("observed")
    url = database_beside(tmp, server.database_url)
    process = ServerProcess(tmp, url, extra_env={"CAUSERIE_METRICS_TOKEN": TOKEN})
    process.start()
    try:
        yield process
    finally:
        process.stop()


def samples(server: ServerProcess) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = httpx.get(f"{server.base_url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    found = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_need_the_token(observed: ServerProcess) -> None:
    assert httpx.get(f"{observed.base_url}/metrics").status_code == 401
    wrong = httpx.get(f"{observed.base_url}/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_metrics_are_off_without_a_token(server: ServerProcess) -> None:
    assert httpx.get(f"{server.base_url}/metrics").status_code == 404


def test_requests_messages_longpolls_and_wakeups_are_counted(observed: ServerProcess) -> None:
    alice = TalkClient(observed.base_url, "alice")
    bob = TalkClient(observed.base_url, "bob")
    token = group_room(alice, "bob")
    chat = "/ocs/v2.php/apps/spreed/api/v1/chat/{token}"
    before = samples(observed)
    sent_before = before.get(("causerie_chat_messages_sent_total", ()), 0.0)
    woken_before = before[("causerie_wakeups_total", ())]

    last_known = history(bob, token)[0]["id"]
    got: list[httpx.Response] = []
    query = {"lookIntoFuture": 1, "timeout": 30, "lastKnownMessageId": last_known}
    poll = threading.Thread(target=lambda: got.append(bob.get(f"{CHAT}/{token}", params=query)))
    poll.start()
    deadline = time.monotonic() + 30
    while samples(observed)[("causerie_longpolls_waiting", ())] < 1:
        assert time.monotonic() < deadline, "the poll never parked"
        time.sleep(0.1)
    send(alice, token, "counted")
    poll.join(timeout=60)
    assert got and got[0].status_code == 200

    after = samples(observed)
    assert after[("causerie_chat_messages_sent_total", ())] == sent_before + 1
    assert after[("causerie_wakeups_total", ())] >= woken_before + 1
    assert after[("causerie_longpolls_waiting", ())] == 0
    created = (("method", "POST"), ("route", chat), ("status", "201"))
    assert after[("causerie_http_requests_total", created)] >= 1
    # Paths are labelled by their route template, never by the token itself.
    assert not any(token in value for _, labels in after for _, value in labels)
    polled = (("le", "+Inf"), ("method", "GET"), ("route", chat))
    assert after[("causerie_http_request_duration_seconds_bucket", polled)] >= 1
    assert ("causerie_db_connections", (("state", "idle"),)) in after
    alice.close()
    bob.close()


def test_health_checks_database_and_broker(observed: ServerProcess) -> None:
    response = httpx.get(f"{observed.base_url}/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_health_fails_when_the_broker_is_unreachable(tmp_path: Path, server: ServerProcess) -> None:
    # A Redis nobody listens on: the server serves (pokes stay local) but is not healthy.
    dead = f"redis://127.0.0.1:{free_port()}/0"
    process = ServerProcess(tmp_path, database_beside(tmp_path, server.database_url), broker_url=dead)
    process.start()
    try:
        response = httpx.get(f"{process.base_url}/health")
        assert response.status_code == 503
        assert response.json()["broker"].startswith("failing") and response.json()["database"] == "ok"
    finally:
        process.stop()
