"""Long-polling the chat: instant wake-ups, no lost messages, freed tasks and a clean shutdown."""

from __future__ import annotations

import base64
import socket
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.client import TalkClient, data, meta
from tests.support.server import ServerProcess, database_beside, password_of
from tests.support.talk import CHAT, group_room, history, room, send

WAITERS = "apps/causerie/api/v1/longpoll"


def poll(client: TalkClient, token: str, last_known: int, timeout: int = 30, **query: Any) -> httpx.Response:
    params = {"lookIntoFuture": 1, "lastKnownMessageId": last_known, "timeout": timeout, **query}
    return client.get(f"{CHAT}/{token}", params=params)


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    """Wait for a state change; generous because the machine is shared, and not a speed check."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def _admin_group(server: ServerProcess) -> None:
    groups = server.occ("group:list").stdout
    if '"admin"' not in groups and "admin:" not in groups and "- admin" not in groups:
        server.occ("group:add", "admin")
        server.occ("group:adduser", "admin", "admin")


@pytest.fixture
def admin(make_client: Callable[..., TalkClient], server: ServerProcess) -> TalkClient:
    _admin_group(server)
    return make_client("admin")


def waiters(admin: TalkClient) -> int:
    response = admin.get(WAITERS)
    assert response.status_code == 200, response.text
    return int(data(response)["waiters"])


def last_id(client: TalkClient, token: str) -> int:
    return int(history(client, token, limit=1)[0]["id"])


def test_nothing_new_answers_a_bare_304(alice: TalkClient) -> None:
    token = group_room(alice)
    response = poll(alice, token, last_id(alice, token), timeout=1)
    assert response.status_code == 304 and response.content == b""
    assert "content-type" not in response.headers and "X-Chat-Last-Given" not in response.headers
    v1 = alice.get(f"{CHAT}/{token}", params={"lookIntoFuture": 1, "timeout": 1, "lastKnownMessageId": 10**9}, v=1)
    assert v1.status_code == 200 and meta(v1)["statuscode"] == 304 and data(v1) is None


def test_a_waiting_poll_gets_the_message_sent_meanwhile(
    alice: TalkClient, make_client: Callable[..., TalkClient], admin: TalkClient
) -> None:
    token = group_room(alice, "bob")
    bob = make_client("bob")
    start = last_id(alice, token)
    before = waiters(admin)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(poll, bob, token, start, 60)
        wait_until(lambda: waiters(admin) > before, "the poll to wait")
        sent = send(alice, token, "instant")
        response = pending.result(timeout=60)
    assert response.status_code == 200
    assert [m["id"] for m in data(response)] == [sent["id"]]
    assert response.headers["X-Chat-Last-Given"] == str(sent["id"])


def test_polls_oldest_first_and_set_the_read_marker(alice: TalkClient, bob: TalkClient) -> None:
    token = group_room(alice, "bob")
    start = last_id(alice, token)
    ids = [send(alice, token, f"m{i}")["id"] for i in range(3)]
    response = poll(bob, token, start, timeout=5)
    assert [m["id"] for m in data(response)] == ids
    assert room(bob, token)["lastReadMessage"] < ids[0]
    # The next poll acknowledges what the previous one returned.
    poll(bob, token, ids[-1], timeout=0)
    assert room(bob, token)["lastReadMessage"] == ids[-1]
    poll(bob, token, ids[0], timeout=0)
    assert room(bob, token)["lastReadMessage"] == ids[-1]


def test_no_message_is_lost_between_poll_and_send(alice: TalkClient, make_client: Callable[..., TalkClient]) -> None:
    """Each round polls and sends at the same moment; whichever wins, the poll sees the message."""
    token = group_room(alice, "bob")
    bob = make_client("bob")
    last = last_id(alice, token)
    with ThreadPoolExecutor(2) as pool:
        for round_ in range(25):
            pending = pool.submit(poll, bob, token, last, 30)
            sent = send(alice, token, f"round {round_}")
            response = pending.result(timeout=60)
            assert response.status_code == 200, f"round {round_} missed message {sent['id']}"
            got = [m["id"] for m in data(response)]
            assert got == [sent["id"]]
            last = sent["id"]


def test_two_pollers_both_get_the_message(
    alice: TalkClient, make_client: Callable[..., TalkClient], admin: TalkClient
) -> None:
    token = group_room(alice, "bob", "carol")
    start = last_id(alice, token)
    before = waiters(admin)
    clients = [make_client("bob"), make_client("carol")]
    with ThreadPoolExecutor(2) as pool:
        pending: list[Future[httpx.Response]] = [pool.submit(poll, c, token, start, 60) for c in clients]
        wait_until(lambda: waiters(admin) >= before + 2, "both polls to wait")
        sent = send(alice, token, "for both")
        responses = [p.result(timeout=60) for p in pending]
    assert [[m["id"] for m in data(r)] for r in responses] == [[sent["id"]], [sent["id"]]]


def _raw_poll(server: ServerProcess, token: str, last_known: int) -> socket.socket:
    auth = base64.b64encode(f"bob:{password_of('bob')}".encode()).decode()
    sock = socket.create_connection(("127.0.0.1", server.port))
    request = (
        f"GET /ocs/v2.php/{CHAT}/{token}?lookIntoFuture=1&timeout=60&lastKnownMessageId={last_known} HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nAuthorization: Basic {auth}\r\nOCS-APIRequest: true\r\nAccept: application/json\r\n\r\n"
    )
    sock.sendall(request.encode())
    return sock


def test_a_client_that_hangs_up_frees_its_wait(alice: TalkClient, server: ServerProcess, admin: TalkClient) -> None:
    token = group_room(alice, "bob")
    before = waiters(admin)
    sock = _raw_poll(server, token, last_id(alice, token))
    wait_until(lambda: waiters(admin) == before + 1, "the raw poll to wait")
    sock.close()
    # Long before its 60 s timeout, the server lets go of the abandoned poll.
    wait_until(lambda: waiters(admin) == before, "the abandoned poll to be released", seconds=20)


def test_waiter_counts_are_for_admins_only(bob: TalkClient) -> None:
    assert bob.get(WAITERS).status_code == 403


def test_shutdown_releases_waiting_polls(tmp_path: Path, database_url: str, admin: TalkClient) -> None:
    own = ServerProcess(tmp_path, database_beside(tmp_path, database_url))
    own.start()
    try:
        _admin_group(own)
        alice = TalkClient(own.base_url, "alice")
        own_admin = TalkClient(own.base_url, "admin")
        token = group_room(alice, "bob")
        start = last_id(alice, token)
        bob = TalkClient(own.base_url, "bob")
        assert waiters(own_admin) == 0  # the idle job runner is no client's poll
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(poll, bob, token, start, 60)
            wait_until(lambda: waiters(own_admin) == 1, "the poll to wait")
            code = own.stop()
            response = pending.result(timeout=60)
        # Released with "nothing new" instead of being cut off, and the process ends normally.
        assert response.status_code == 304
        assert code == 0
    finally:
        own.stop()


def test_polls_woken_together_read_system_messages_addressed_to_each(
    alice: TalkClient, make_client: Callable[..., TalkClient], admin: TalkClient
) -> None:
    """Woken polls share one read; a comment reads alike for all, a system message is worded per viewer."""
    token = group_room(alice, "bob", name="Before")
    start = last_id(alice, token)
    before = waiters(admin)
    clients = [make_client("alice"), make_client("bob")]
    with ThreadPoolExecutor(2) as pool:
        pending = [pool.submit(poll, c, token, start, 60) for c in clients]
        wait_until(lambda: waiters(admin) >= before + 2, "both polls to wait")
        renamed = alice.put(f"apps/spreed/api/v4/room/{token}", json={"roomName": "After"})
        assert renamed.status_code == 200, renamed.text
        first = [p.result(timeout=60) for p in pending]
    texts = [data(r)[0]["message"] for r in first]
    assert texts == [
        'You renamed the conversation from "Before" to "After"',
        '{actor} renamed the conversation from "Before" to "After"',
    ]
    last = int(first[0].headers["X-Chat-Last-Given"])
    with ThreadPoolExecutor(2) as pool:
        pending = [pool.submit(poll, c, token, last, 60) for c in clients]
        wait_until(lambda: waiters(admin) >= before + 2, "both polls to wait again")
        sent = send(alice, token, "the same for everyone")
        second = [p.result(timeout=60) for p in pending]
    assert [[m["id"] for m in data(r)] for r in second] == [[sent["id"]], [sent["id"]]]
    assert second[0].content == second[1].content
