"""Internal signaling (no external signaling server): sending WebRTC messages between the sessions
of a conversation and long-polling for them (``/api/v3/signaling/{token}``)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import sqlalchemy

from tests.support.client import TalkClient, data
from tests.support.db import engine, sql
from tests.support.server import ServerProcess

ROOM = "apps/spreed/api/v4/room"
SIGNALING = "apps/spreed/api/v3/signaling"


@pytest.fixture(scope="module")
def db(server: ServerProcess) -> Iterator[sqlalchemy.Engine]:
    handle = engine(server.database_url)
    yield handle
    handle.dispose()


def pull_in_background(
    pool: ThreadPoolExecutor, db: sqlalchemy.Engine, client: TalkClient, token: str, session_id: str
) -> Future[httpx.Response]:
    """Start a pull and return once the server has taken it up (a pull first pings its session)."""
    sql(db, "UPDATE talk_sessions SET last_ping = 0 WHERE session_id = :s", s=session_id)
    waiting = pool.submit(pull, client, token)
    deadline = time.monotonic() + 60
    while not sql(db, "SELECT last_ping FROM talk_sessions WHERE session_id = :s", s=session_id)[0][0]:
        assert time.monotonic() < deadline and not waiting.done(), "the pull never started"
        time.sleep(0.02)
    # Not needed for correctness (a change made before the pull waits is found by its first read),
    # but gives the pull the time to reach its wait, so that the wake-up path is what is tested.
    time.sleep(0.2)
    return waiting


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=4) as executor:
        yield executor


def create(client: TalkClient, **body: Any) -> str:
    response = client.post(ROOM, json={"roomType": 2, "roomName": "Signaling", **body})
    assert response.status_code == 201, response.text
    return str(data(response)["token"])


def enter(client: TalkClient, token: str) -> str:
    response = client.post(f"{ROOM}/{token}/participants/active", json={"force": True})
    assert response.status_code == 200, response.text
    return str(data(response)["sessionId"])


def send(client: TalkClient, token: str, sender: str, to: str, kind: str = "offer", **extra: Any) -> httpx.Response:
    payload = {"to": to, "type": kind, "roomType": "video", "payload": {"sdp": "v=0"}, **extra}
    messages = [{"ev": "message", "sessionId": sender, "fn": json.dumps(payload)}]
    return client.post(f"{SIGNALING}/{token}", json={"messages": json.dumps(messages)})


def pull(client: TalkClient, token: str) -> httpx.Response:
    return client.get(f"{SIGNALING}/{token}")


def users_in_room(response: httpx.Response) -> list[dict[str, Any]]:
    last = data(response)[-1]
    assert last["type"] == "usersInRoom"
    users: list[dict[str, Any]] = last["data"]
    return users


@pytest.fixture
def room_of_three(alice: TalkClient, bob: TalkClient, carol: TalkClient) -> tuple[str, str, str, str]:
    """A group room with Alice (moderator) and Bob in it, Carol a member who has not joined."""
    token = create(alice, participants={"users": ["bob", "carol"]})
    return token, enter(alice, token), enter(bob, token), ""


def test_a_message_reaches_its_recipient(alice: TalkClient, bob: TalkClient, room_of_three: tuple[str, ...]) -> None:
    token, alice_session, bob_session, _ = room_of_three
    sent = send(alice, token, alice_session, bob_session)
    assert sent.status_code == 200 and data(sent) == []

    response = pull(bob, token)
    assert response.status_code == 200
    first, users = data(response)
    assert first["type"] == "message"
    message = json.loads(first["data"])
    # The server stamps the sender.
    assert message == {
        "to": bob_session,
        "type": "offer",
        "roomType": "video",
        "payload": {"sdp": "v=0"},
        "from": alice_session,
    }
    assert users["type"] == "usersInRoom"
    listed = {entry["sessionId"]: entry for entry in users["data"]}
    assert set(listed) == {alice_session, bob_session}
    assert listed[alice_session]["userId"] == "alice" and listed[alice_session]["actorType"] == "users"
    assert listed[alice_session]["participantPermissions"] == 254 and listed[bob_session]["inCall"] == 0
    # Delivered once.
    sent_again = send(alice, token, alice_session, bob_session, kind="answer")
    assert sent_again.status_code == 200
    assert [json.loads(m["data"])["type"] for m in data(pull(bob, token))[:-1]] == ["answer"]


def test_a_waiting_pull_is_woken_by_a_message(
    alice: TalkClient, bob: TalkClient, room_of_three: tuple[str, ...], db: sqlalchemy.Engine, pool: ThreadPoolExecutor
) -> None:
    token, alice_session, bob_session, _ = room_of_three
    waiting = pull_in_background(pool, db, bob, token, bob_session)
    assert send(alice, token, alice_session, bob_session, kind="candidate").status_code == 200
    response = waiting.result(timeout=60)
    assert response.status_code == 200
    assert json.loads(data(response)[0]["data"])["type"] == "candidate"


def test_a_waiting_pull_returns_when_someone_joins(
    alice: TalkClient,
    carol: TalkClient,
    room_of_three: tuple[str, ...],
    db: sqlalchemy.Engine,
    pool: ThreadPoolExecutor,
) -> None:
    token, alice_session, _, _ = room_of_three
    waiting = pull_in_background(pool, db, alice, token, alice_session)
    carol_session = enter(carol, token)
    response = waiting.result(timeout=60)
    assert response.status_code == 200 and len(data(response)) == 1  # only usersInRoom
    assert carol_session in {entry["sessionId"] for entry in users_in_room(response)}


def test_a_waiting_pull_returns_when_the_call_changes(
    alice: TalkClient, bob: TalkClient, room_of_three: tuple[str, ...], db: sqlalchemy.Engine, pool: ThreadPoolExecutor
) -> None:
    token, alice_session, bob_session, _ = room_of_three
    waiting = pull_in_background(pool, db, alice, token, alice_session)
    assert bob.post(f"apps/spreed/api/v4/call/{token}", json={"flags": 3}).status_code == 200
    response = waiting.result(timeout=60)
    in_call = {entry["sessionId"]: entry["inCall"] for entry in users_in_room(response)}
    assert in_call == {alice_session: 0, bob_session: 3}
    assert bob.delete(f"apps/spreed/api/v4/call/{token}").status_code == 200


def test_control_messages_only_from_moderators(
    alice: TalkClient, bob: TalkClient, room_of_three: tuple[str, ...]
) -> None:
    token, alice_session, bob_session, _ = room_of_three
    assert (
        send(bob, token, bob_session, alice_session, kind="control", payload={"action": "forceMute"}).status_code == 200
    )
    assert (
        send(alice, token, alice_session, bob_session, kind="control", payload={"action": "forceMute"}).status_code
        == 200
    )
    kinds = [json.loads(m["data"])["type"] for m in data(pull(bob, token))[:-1]]
    assert kinds == ["control"]
    # Bob's control message to Alice was dropped: her next pull holds only what came after it.
    assert send(bob, token, bob_session, alice_session).status_code == 200
    kinds = [json.loads(m["data"])["type"] for m in data(pull(alice, token))[:-1]]
    assert kinds == ["offer"]


def test_messages_only_go_to_sessions_of_the_same_room(
    alice: TalkClient, bob: TalkClient, room_of_three: tuple[str, ...]
) -> None:
    token, alice_session, bob_session, _ = room_of_three
    other = create(alice, participants={"users": ["bob"]})
    bob_elsewhere = enter(bob, other)
    alice_elsewhere = enter(alice, other)
    # Addressed to Bob's session in the other room, sent through this one: dropped.
    assert send(alice, token, alice_session, bob_elsewhere).status_code == 200
    # A sender session that is not the caller's own session in this room: dropped.
    assert send(alice, token, alice_elsewhere, bob_session).status_code == 200
    assert send(alice, other, alice_elsewhere, bob_elsewhere, kind="answer").status_code == 200
    kinds = [json.loads(m["data"])["type"] for m in data(pull(bob, other))[:-1]]
    assert kinds == ["answer"]


@pytest.mark.parametrize("messages", ["not json", '{"ev": "message"}', "[1, 2]"])
def test_malformed_messages_are_400(alice: TalkClient, room_of_three: tuple[str, ...], messages: str) -> None:
    token = room_of_three[0]
    response = alice.post(f"{SIGNALING}/{token}", json={"messages": messages})
    assert response.status_code == 400 and isinstance(data(response), str)


def test_without_a_session_the_pull_is_404(
    alice: TalkClient, carol: TalkClient, room_of_three: tuple[str, ...]
) -> None:
    token = room_of_three[0]
    response = pull(carol, token)  # a member who has not joined
    assert response.status_code == 404
    assert data(response) == [{"type": "usersInRoom", "data": []}]


def test_strangers_get_404(room_of_three: tuple[str, ...], make_client: Callable[..., TalkClient]) -> None:
    token = room_of_three[0]
    dave = make_client("dave")
    assert pull(dave, token).status_code == 404
    assert pull(dave, "nosuchroom").status_code == 404


def test_a_session_replaced_while_waiting_is_409(
    bob: TalkClient, room_of_three: tuple[str, ...], db: sqlalchemy.Engine, pool: ThreadPoolExecutor
) -> None:
    """Joining again from the same browser ends the old session; its pull says so with 409."""
    token, _, bob_session, _ = room_of_three
    waiting = pull_in_background(pool, db, bob, token, bob_session)
    enter(bob, token)
    response = waiting.result(timeout=60)
    assert response.status_code == 409
    assert data(response) == [{"type": "usersInRoom", "data": []}]


def test_a_removed_participant_gets_404(
    alice: TalkClient, bob: TalkClient, room_of_three: tuple[str, ...], db: sqlalchemy.Engine, pool: ThreadPoolExecutor
) -> None:
    token, _, bob_session, _ = room_of_three
    attendee_id = data(bob.get(f"{ROOM}/{token}"))["attendeeId"]
    waiting = pull_in_background(pool, db, bob, token, bob_session)
    assert alice.delete(f"{ROOM}/{token}/attendees", params={"attendeeId": attendee_id}).status_code == 200
    response = waiting.result(timeout=60)
    assert response.status_code == 404
    assert data(response) == [{"type": "usersInRoom", "data": []}]


def test_guests_signal_too(alice: TalkClient, guest: TalkClient) -> None:
    token = create(alice, roomType=3)
    alice_session = enter(alice, token)
    guest_session = enter(guest, token)
    assert send(guest, token, guest_session, alice_session).status_code == 200
    response = pull(alice, token)
    assert json.loads(data(response)[0]["data"])["from"] == guest_session
    guest_entry = next(e for e in users_in_room(response) if e["sessionId"] == guest_session)
    assert guest_entry["userId"] == "" and guest_entry["actorType"] == "guests"


def test_disabled_with_an_external_signaling_server(
    alice: TalkClient, room_of_three: tuple[str, ...], server: ServerProcess
) -> None:
    token, alice_session, bob_session, _ = room_of_three
    servers = {"servers": [{"server": "https://hpb.example.org", "verify": True}], "secret": "hpb-secret"}
    server.occ("config:app:set", "spreed", "signaling_servers", "--value", json.dumps(servers))
    try:
        for response in (pull(alice, token), send(alice, token, alice_session, bob_session)):
            assert response.status_code == 400
            assert data(response) == "Internal signaling disabled."
    finally:
        server.occ("config:app:delete", "spreed", "signaling_servers")
