"""Nextcloud's throttling algorithm, and what a client sees when it keeps guessing passwords."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from causerie.services.accounts.bruteforce import delay_for, subnet_of
from tests.support.client import TalkClient, data, meta
from tests.support.server import ServerProcess


@pytest.mark.parametrize(
    ("attempts", "delay_ms"),
    [(0, 0), (1, 200), (2, 400), (3, 800), (4, 1600), (5, 3200), (6, 6400), (7, 12800), (8, 25000), (11, 25000)],
)
def test_delay_table(attempts: int, delay_ms: int) -> None:
    assert delay_for(attempts) == delay_ms


def test_subnets() -> None:
    assert subnet_of("10.1.2.3") == "10.1.2.3"
    assert subnet_of("2001:db8::1") == subnet_of("2001:db8::ffff") == "2001:db8::/64"
    assert subnet_of("::ffff:10.0.0.1") == "10.0.0.1"


def test_repeated_wrong_passwords_are_throttled_then_blocked(
    server: ServerProcess,
    make_client,
    reset_bruteforce: None,  # type: ignore[no-untyped-def]
) -> None:
    wrong = make_client("alice", password="nope")
    for _ in range(11):
        assert wrong.get("cloud/user").status_code == 401
    blocked = wrong.get("cloud/user")
    assert blocked.status_code == 429
    assert meta(blocked)["message"] == "Reached maximum delay"
    # The right password from the same address is blocked too: the counter is per address.
    assert make_client("alice").get("cloud/user").status_code == 429
    attempts = server.occ("security:bruteforce:attempts", "127.0.0.1", "login").stdout
    assert '"attempts": 11' in attempts and '"delay": 25000' in attempts
    server.occ("security:bruteforce:reset", "127.0.0.1")
    assert make_client("alice").get("cloud/user").status_code == 200


def test_exempt_addresses_are_not_counted(
    server: ServerProcess,
    make_client,
    reset_bruteforce: None,  # type: ignore[no-untyped-def]
) -> None:
    server.occ("config:app:set", "bruteForce", "whitelist_1", "--value", "127.0.0.0/8")
    try:
        wrong: TalkClient = make_client("alice", password="nope")
        for _ in range(12):
            assert wrong.get("cloud/user").status_code == 401
        assert make_client("alice").get("cloud/user").status_code == 200
    finally:
        server.occ("config:app:delete", "bruteForce", "whitelist_1")


# --- guesses in parallel ---------------------------------------------------------------------------

ROOM = "apps/spreed/api/v4/room"
CHAT = "apps/spreed/api/v1/chat"


def _attempts(server: ServerProcess, action: str) -> int:
    return int(json.loads(server.occ("security:bruteforce:attempts", "127.0.0.1", action).stdout)["attempts"])


def _in_parallel(count: int, request: Callable[[], httpx.Response]) -> list[int]:
    with ThreadPoolExecutor(count) as pool:
        return sorted(f.result().status_code for f in [pool.submit(request) for _ in range(count)])


def test_parallel_room_password_guesses_cost_what_sequential_ones_cost(
    server: ServerProcess, make_client: Callable[..., TalkClient], reset_bruteforce: None
) -> None:
    owner = make_client("alice")
    token = data(owner.post(ROOM, json={"roomType": 3, "roomName": "Locked", "password": "right-one"}))["token"]
    guessers = iter([make_client() for _ in range(48)])

    def guess() -> httpx.Response:
        return next(guessers).post(f"{ROOM}/{token}/participants/active", json={"password": "wrong"})

    in_a_row = sorted(guess().status_code for _ in range(24))
    counted_in_a_row = _attempts(server, "talkRoomPassword")
    server.reset_bruteforce("127.0.0.1")
    # The address is blocked after 10 attempts at the maximum delay: 11 wrong guesses are checked.
    assert (in_a_row.count(403), counted_in_a_row) == (10, 11)
    assert _in_parallel(24, guess) == in_a_row
    assert _attempts(server, "talkRoomPassword") == counted_in_a_row


def test_parallel_login_guesses_cost_what_sequential_ones_cost(
    server: ServerProcess, make_client: Callable[..., TalkClient], reset_bruteforce: None
) -> None:
    guessers = iter([make_client("bob", password=f"guess-{i}") for i in range(24)])
    statuses = _in_parallel(24, lambda: next(guessers).get("cloud/user"))
    # As 24 in a row: 11 checked and counted, then 429 "Reached maximum delay" without a check.
    assert statuses == [401] * 11 + [429] * 13
    assert _attempts(server, "login") == 11


def test_a_participants_requests_never_wait_for_the_addresss_wrong_guesses(
    server: ServerProcess, alice: TalkClient, bob: TalkClient, reset_bruteforce: None
) -> None:
    token = data(alice.post(ROOM, json={"roomType": 2, "roomName": "Office", "participants": {"users": ["bob"]}}))[
        "token"
    ]
    for _ in range(3):  # someone behind the same address guesses tokens
        assert bob.get(f"{ROOM}/no-such-room").status_code == 404
    assert _attempts(server, "talkRoomToken") == 3
    sent = alice.post(f"{CHAT}/{token}", json={"message": "hello"})
    message_id = data(sent)["id"]
    answers = [
        sent,
        alice.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0}),
        alice.post(f"{CHAT}/{token}/read", json={"lastReadMessage": message_id}),
        alice.get(f"{CHAT}/{token}/mentions", params={"search": ""}),
        alice.post(f"apps/spreed/api/v1/reaction/{token}/{message_id}", json={"reaction": "👍"}),
        alice.get(f"{ROOM}/{token}/participants"),
        alice.get(f"{ROOM}/{token}"),  # declares the action, but Alice knows the token
        alice.get("apps/spreed/api/v3/signaling/settings", params={"token": token}),
        bob.post(f"{ROOM}/{token}/participants/active"),
    ]
    for response in answers:
        assert response.status_code < 300, response.request.url
        assert "X-Nextcloud-Bruteforce-Throttled" not in response.headers, response.request.url
    # Someone who does not know the room still waits, for the endpoints Talk protects.
    stranger = carol_client(server)
    # 3 attempts before (800 ms), 4 after its own 404 (1600 ms).
    assert stranger.get(f"{ROOM}/{token}").headers["X-Nextcloud-Bruteforce-Throttled"] == "2400ms"


def carol_client(server: ServerProcess) -> TalkClient:
    return TalkClient(server.base_url, "carol")


def test_failures_count_only_where_talk_declares_the_action(
    server: ServerProcess, alice: TalkClient, carol: TalkClient, reset_bruteforce: None
) -> None:
    token = data(alice.post(ROOM, json={"roomType": 2, "roomName": "Private"}))["token"]
    for response in (
        carol.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0}),
        carol.post(f"{CHAT}/{token}", json={"message": "intruder"}),
        carol.get(f"{ROOM}/{token}/participants"),
        carol.post(f"apps/spreed/api/v4/call/{token}"),
    ):
        assert response.status_code == 404
    assert _attempts(server, "talkRoomToken") == 0
    assert carol.get(f"{ROOM}/{token}").status_code == 404
    assert _attempts(server, "talkRoomToken") == 1


def test_a_successful_join_forgets_the_guesses_of_that_conversation_only(
    server: ServerProcess, make_client: Callable[..., TalkClient], reset_bruteforce: None
) -> None:
    owner = make_client("alice")
    first = data(owner.post(ROOM, json={"roomType": 3, "roomName": "One", "password": "first-pw"}))["token"]
    second = data(owner.post(ROOM, json={"roomType": 3, "roomName": "Two", "password": "second-pw"}))["token"]
    guest = make_client()
    for token in (first, first, second):
        assert guest.post(f"{ROOM}/{token}/participants/active", json={"password": "nope"}).status_code == 403
    assert guest.get(f"{ROOM}/no-such-room").status_code == 404
    assert guest.post(f"{ROOM}/{first}/participants/active", json={"password": "first-pw"}).status_code == 200
    # The two wrong passwords of the first room are forgotten; the other room's and the unknown
    # token's attempts stay.
    assert _attempts(server, "talkRoomPassword") == 1
    assert _attempts(server, "talkRoomToken") == 1
