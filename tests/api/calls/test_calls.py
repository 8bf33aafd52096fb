"""Calls over HTTP: joining, flags, peers, leaving, ending for everyone, who may start a call, and the
call system messages Talk stores (with their participant lists and durations)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy

from tests.support.client import TalkClient, data, meta
from tests.support.db import engine, sql
from tests.support.server import ServerProcess

ROOM = "apps/spreed/api/v4/room"
CALL = "apps/spreed/api/v4/call"


@pytest.fixture(scope="module")
def db(server: ServerProcess) -> Iterator[sqlalchemy.Engine]:
    """Direct access to the server's database, to read what was stored and to move clocks back."""
    handle = engine(server.database_url)
    yield handle
    handle.dispose()


def call_messages(db: sqlalchemy.Engine, token: str) -> list[tuple[str, str, dict[str, Any], bool]]:
    """(system message, actor id, stored parameters, silent) of the room's call messages, in order."""
    rows = sql(
        db,
        "SELECT m.system_message, m.actor_id, m.parameters, m.silent FROM messages m JOIN rooms r ON r.id = m.room_id "
        "WHERE r.token = :token AND m.system_message LIKE 'call%' ORDER BY m.id",
        token=token,
    )
    return [(row[0], row[1], json.loads(row[2]), bool(row[3])) for row in rows]


def started_ago(db: sqlalchemy.Engine, token: str, seconds: int) -> None:
    """Pretend the room's call started ``seconds`` earlier than it did."""
    sql(db, "UPDATE rooms SET active_since = active_since - :s WHERE token = :token", s=seconds, token=token)


@pytest.fixture
def spreed_config(server: ServerProcess) -> Iterator[Callable[[str, str], None]]:
    touched: list[str] = []

    def set_value(key: str, value: str) -> None:
        server.occ("config:app:set", "spreed", key, "--value", value)
        touched.append(key)

    yield set_value
    for key in touched:
        server.occ("config:app:delete", "spreed", key)


def create(client: TalkClient, **body: Any) -> str:
    response = client.post(ROOM, json={"roomType": 2, "roomName": "Call room", **body})
    assert response.status_code == 201, response.text
    return str(data(response)["token"])


def enter(client: TalkClient, token: str, **body: Any) -> str:
    response = client.post(f"{ROOM}/{token}/participants/active", json={"force": True, **body})
    assert response.status_code == 200, response.text
    return str(data(response)["sessionId"])


def room(client: TalkClient, token: str) -> dict[str, Any]:
    response = client.get(f"{ROOM}/{token}")
    assert response.status_code == 200
    result: dict[str, Any] = data(response)
    return result


@pytest.fixture
def group_call(alice: TalkClient, bob: TalkClient) -> Iterator[str]:
    """A group room of Alice (owner) and Bob, both with a session in it; no call is left running."""
    token = create(alice, participants={"users": ["bob"]})
    enter(alice, token)
    enter(bob, token)
    yield token
    # Rooms with a running call show up in every modifiedSince listing.
    alice.delete(f"{CALL}/{token}", params={"all": 1})


def test_a_call_from_start_to_end(alice: TalkClient, bob: TalkClient, group_call: str, db: sqlalchemy.Engine) -> None:
    token = group_call
    joined = alice.post(f"{CALL}/{token}", json={"flags": 3})
    assert joined.status_code == 200 and data(joined) is None
    assert bob.post(f"{CALL}/{token}", json={"flags": 3}).status_code == 200

    peers = data(alice.get(f"{CALL}/{token}"))
    assert [(p["actorType"], p["actorId"], p["displayName"], p["token"]) for p in peers] == [
        ("users", "alice", "Alice Adams", token),
        ("users", "bob", "Bob Brown", token),
    ]
    assert all(len(p["sessionId"]) == 255 and p["lastPing"] > 0 for p in peers)

    seen = room(alice, token)
    assert seen["hasCall"] is True and seen["callFlag"] == 3 and seen["participantFlags"] == 3
    assert seen["callStartTime"] > 0 and seen["canStartCall"] is True
    assert room(bob, token)["participantFlags"] == 3

    left = bob.delete(f"{CALL}/{token}")
    assert left.status_code == 200 and data(left) is None
    assert room(alice, token)["hasCall"] is True
    assert alice.delete(f"{CALL}/{token}").status_code == 200

    ended = room(alice, token)
    assert ended["hasCall"] is False and ended["callFlag"] == 0 and ended["callStartTime"] == 0
    assert ended["participantFlags"] == 0
    messages = call_messages(db, token)
    assert [(name, actor) for name, actor, _, _ in messages] == [
        ("call_started", "alice"),
        ("call_joined", "bob"),
        ("call_left", "bob"),
        ("call_left", "alice"),
        ("call_ended", "alice"),
    ]
    parameters = messages[-1][2]
    assert parameters["users"] == ["alice", "bob"] and parameters["cloudIds"] == [] and parameters["guests"] == 0
    assert isinstance(parameters["duration"], int) and 0 <= parameters["duration"] < 60


def test_call_ended_carries_the_duration(alice: TalkClient, group_call: str, db: sqlalchemy.Engine) -> None:
    token = group_call
    assert alice.post(f"{CALL}/{token}").status_code == 200
    started_ago(db, token, 3725)  # 1:02:05 ago
    assert room(alice, token)["callStartTime"] <= time.time() - 3725
    assert alice.delete(f"{CALL}/{token}").status_code == 200
    name, actor, parameters, _ = call_messages(db, token)[-1]
    assert (name, actor, parameters["users"]) == ("call_ended", "alice", ["alice"])
    assert 3725 <= parameters["duration"] < 3725 + 60


def test_guests_are_counted(
    alice: TalkClient, guest: TalkClient, make_client: Callable[..., TalkClient], db: sqlalchemy.Engine
) -> None:
    token = create(alice, roomType=3)
    enter(alice, token)
    enter(guest, token)
    other_guest = make_client()
    enter(other_guest, token)
    assert guest.post(f"{CALL}/{token}", json={"flags": 7}).status_code == 200
    assert other_guest.post(f"{CALL}/{token}", json={"flags": 1}).status_code == 200
    assert alice.post(f"{CALL}/{token}").status_code == 200
    peers = data(alice.get(f"{CALL}/{token}"))
    assert sorted(p["actorType"] for p in peers) == ["guests", "guests", "users"]
    assert guest.delete(f"{CALL}/{token}").status_code == 200
    assert other_guest.delete(f"{CALL}/{token}").status_code == 200
    assert alice.delete(f"{CALL}/{token}").status_code == 200
    names = [name for name, *_ in call_messages(db, token)]
    assert names == ["call_started", "call_joined", "call_joined", "call_left", "call_left", "call_left", "call_ended"]
    assert call_messages(db, token)[0][1] == data(guest.get(f"{ROOM}/{token}"))["actorId"]
    parameters = call_messages(db, token)[-1][2]
    assert parameters["users"] == ["alice"] and parameters["guests"] == 2


def test_a_moderator_ends_the_call_for_everyone(
    alice: TalkClient, bob: TalkClient, group_call: str, db: sqlalchemy.Engine
) -> None:
    token = group_call
    assert alice.post(f"{CALL}/{token}").status_code == 200
    assert bob.post(f"{CALL}/{token}").status_code == 200
    # Not a moderator: `all` only makes Bob leave.
    assert bob.delete(f"{CALL}/{token}", params={"all": "1"}).status_code == 200
    assert room(alice, token)["hasCall"] is True
    assert bob.post(f"{CALL}/{token}").status_code == 200
    started_ago(db, token, 90)

    assert alice.delete(f"{CALL}/{token}", params={"all": "1"}).status_code == 200
    assert room(bob, token)["participantFlags"] == 0
    assert room(alice, token)["hasCall"] is False
    messages = call_messages(db, token)
    assert [(name, actor) for name, actor, _, _ in messages] == [
        ("call_started", "alice"),
        ("call_joined", "bob"),
        ("call_left", "bob"),
        ("call_joined", "bob"),
        ("call_ended_everyone", "alice"),  # no call_left for anyone
    ]
    assert messages[-1][2]["users"] == ["alice", "bob"] and messages[-1][2]["duration"] >= 90


def test_a_missed_one_to_one_call(alice: TalkClient, bob: TalkClient, db: sqlalchemy.Engine) -> None:
    one_to_one = alice.post(ROOM, json={"roomType": 1, "invite": "bob"})
    token = data(one_to_one)["token"]
    enter(alice, token)
    assert alice.post(f"{CALL}/{token}").status_code == 200
    assert alice.delete(f"{CALL}/{token}").status_code == 200
    name, actor, parameters, _ = call_messages(db, token)[-1]
    assert (name, actor, parameters["users"]) == ("call_missed", "alice", ["alice"])


def test_silent_calls_are_marked(alice: TalkClient, group_call: str, db: sqlalchemy.Engine) -> None:
    assert alice.post(f"{CALL}/{group_call}", json={"silent": True}).status_code == 200
    assert call_messages(db, group_call)[0][0] == "call_started" and call_messages(db, group_call)[0][3] is True


def test_update_flags(alice: TalkClient, bob: TalkClient, group_call: str) -> None:
    token = group_call
    not_in_call = alice.put(f"{CALL}/{token}", json={"flags": 3})
    assert not_in_call.status_code == 400 and data(not_in_call) is None
    assert alice.post(f"{CALL}/{token}", json={"flags": 1}).status_code == 200
    assert bob.post(f"{CALL}/{token}", json={"flags": 3}).status_code == 200
    assert alice.put(f"{CALL}/{token}", json={"flags": 7}).status_code == 200
    seen = room(alice, token)
    assert seen["participantFlags"] == 7 and seen["callFlag"] == 7
    # The in-call bit must stay; flags go up to 15.
    assert alice.put(f"{CALL}/{token}", json={"flags": 6}).status_code == 400
    assert alice.put(f"{CALL}/{token}", json={"flags": 16}).status_code == 400
    assert bob.delete(f"{CALL}/{token}").status_code == 200
    assert alice.put(f"{CALL}/{token}", json={"flags": 3}).status_code == 200
    assert room(alice, token)["callFlag"] == 3  # the OR of who is still in the call


def test_join_needs_a_session_and_valid_flags(alice: TalkClient, bob: TalkClient) -> None:
    token = create(alice, participants={"users": ["bob"]})
    # Bob is a member but has not joined the room (no Talk session).
    for method in ("POST", "PUT", "DELETE"):
        response = bob.request(method, f"{CALL}/{token}", json={"flags": 3})
        assert response.status_code == 404, method
        assert data(response) is None
    enter(alice, token)
    bad = alice.post(f"{CALL}/{token}", json={"flags": 2})
    assert bad.status_code == 400 and data(bad) == {"error": "flags"}


def test_strangers_get_404(alice: TalkClient, carol: TalkClient, group_call: str, reset_bruteforce: None) -> None:
    for method in ("GET", "POST", "PUT", "DELETE"):
        response = carol.request(method, f"{CALL}/{group_call}")
        assert response.status_code == 404, method
    assert carol.get(f"{CALL}/nosuchroom").status_code == 404


@pytest.mark.parametrize(("start_calls", "bob_may_start"), [("1", True), ("2", False)])
def test_who_may_start_a_call(
    alice: TalkClient,
    bob: TalkClient,
    group_call: str,
    spreed_config: Callable[[str, str], None],
    start_calls: str,
    bob_may_start: bool,
) -> None:
    spreed_config("start_calls", start_calls)
    assert room(bob, group_call)["canStartCall"] is bob_may_start
    response = bob.post(f"{CALL}/{group_call}")
    if bob_may_start:
        assert response.status_code == 200
        return
    assert response.status_code == 403 and meta(response)["message"] == "Can not start a call"
    # Anyone may join a call a moderator started.
    assert alice.post(f"{CALL}/{group_call}").status_code == 200
    assert bob.post(f"{CALL}/{group_call}").status_code == 200


def test_guests_cannot_start_calls_when_only_users_may(
    alice: TalkClient, guest: TalkClient, spreed_config: Callable[[str, str], None]
) -> None:
    token = create(alice, roomType=3)
    enter(guest, token)
    spreed_config("start_calls", "1")
    assert room(guest, token)["canStartCall"] is False
    assert guest.post(f"{CALL}/{token}").status_code == 403
    enter(alice, token)
    assert alice.post(f"{CALL}/{token}").status_code == 200
    assert guest.post(f"{CALL}/{token}").status_code == 200
    assert alice.delete(f"{CALL}/{token}", params={"all": 1}).status_code == 200


def test_built_in_calls_off(
    alice: TalkClient, group_call: str, spreed_config: Callable[[str, str], None], db: sqlalchemy.Engine
) -> None:
    spreed_config("start_calls", "3")
    assert room(alice, group_call)["canStartCall"] is False
    for method in ("GET", "POST"):
        response = alice.request(method, f"{CALL}/{group_call}")
        assert response.status_code == 403, method
    assert call_messages(db, group_call) == []


def test_external_call_presence_works_with_built_in_calls_off(
    alice: TalkClient,
    bob: TalkClient,
    group_call: str,
    spreed_config: Callable[[str, str], None],
    db: sqlalchemy.Engine,
) -> None:
    """The external call service's conversations: the web UI marks presence with the call API."""
    spreed_config("start_calls", "3")
    sql(db, "UPDATE rooms SET object_type = 'external_call', object_id = 'meeting-1' WHERE token = :t", t=group_call)
    assert room(alice, group_call)["canStartCall"] is True
    assert alice.post(f"{CALL}/{group_call}", json={"flags": 1}).status_code == 200
    assert bob.post(f"{CALL}/{group_call}", json={"flags": 1}).status_code == 200
    assert [p["actorId"] for p in data(alice.get(f"{CALL}/{group_call}"))] == ["alice", "bob"]
    assert room(bob, group_call)["hasCall"] is True
    assert bob.delete(f"{CALL}/{group_call}").status_code == 200
    assert alice.delete(f"{CALL}/{group_call}").status_code == 200
    names = [name for name, *_ in call_messages(db, group_call)]
    assert names == ["call_started", "call_joined", "call_left", "call_left", "call_ended"]


def test_read_only_rooms_have_no_calls(alice: TalkClient, group_call: str, db: sqlalchemy.Engine) -> None:
    sql(db, "UPDATE rooms SET read_only = 1 WHERE token = :t", t=group_call)
    assert alice.post(f"{CALL}/{group_call}").status_code == 403


def test_the_lobby_keeps_non_moderators_out(
    alice: TalkClient, bob: TalkClient, group_call: str, db: sqlalchemy.Engine
) -> None:
    sql(db, "UPDATE rooms SET lobby_state = 1 WHERE token = :t", t=group_call)
    assert bob.post(f"{CALL}/{group_call}").status_code == 412
    assert bob.get(f"{CALL}/{group_call}").status_code == 412
    assert alice.post(f"{CALL}/{group_call}").status_code == 200


def test_media_the_participant_may_not_publish_is_dropped(
    alice: TalkClient, bob: TalkClient, group_call: str, db: sqlalchemy.Engine
) -> None:
    # Custom permissions: join and start calls, chat, but neither audio nor video (1|2|4|128).
    sql(
        db,
        "UPDATE attendees SET permissions = 135 WHERE actor_id = 'bob' AND room_id = "
        "(SELECT id FROM rooms WHERE token = :t)",
        t=group_call,
    )
    assert bob.post(f"{CALL}/{group_call}", json={"flags": 7}).status_code == 200
    assert room(bob, group_call)["participantFlags"] == 1


def test_leaving_the_room_leaves_the_call(
    alice: TalkClient, bob: TalkClient, group_call: str, db: sqlalchemy.Engine
) -> None:
    token = group_call
    assert alice.post(f"{CALL}/{token}").status_code == 200
    assert bob.post(f"{CALL}/{token}").status_code == 200
    assert bob.delete(f"{ROOM}/{token}/participants/active").status_code == 200
    assert alice.delete(f"{ROOM}/{token}/participants/active").status_code == 200
    names = [name for name, *_ in call_messages(db, token)]
    assert names == ["call_started", "call_joined", "call_left", "call_left", "call_ended"]
    assert room(alice, token)["hasCall"] is False


def test_the_chat_long_poll_wakes_up_on_call_messages(alice: TalkClient, bob: TalkClient, group_call: str) -> None:
    """Call messages are published under the room's key, so waiting chat clients get them at once."""
    token = group_call
    chat = f"apps/spreed/api/v1/chat/{token}"
    last = data(bob.get(chat, params={"lookIntoFuture": 0, "limit": 1}))[0]["id"]
    with ThreadPoolExecutor(max_workers=1) as pool:
        waiting = pool.submit(bob.get, chat, params={"lookIntoFuture": 1, "lastKnownMessageId": last, "timeout": 60})
        assert alice.post(f"{CALL}/{token}").status_code == 200
        fresh = waiting.result(timeout=90)
    assert fresh.status_code == 200
    assert [m["systemMessage"] for m in data(fresh)] == ["call_started"]


def test_the_chat_shows_the_call_as_talk_does(
    alice: TalkClient, bob: TalkClient, group_call: str, db: sqlalchemy.Engine
) -> None:
    token = group_call
    assert alice.post(f"{CALL}/{token}", json={"flags": 3}).status_code == 200
    assert bob.post(f"{CALL}/{token}", json={"flags": 3}).status_code == 200
    assert bob.delete(f"{CALL}/{token}").status_code == 200
    started_ago(db, token, 30 * 60 + 23)
    assert alice.delete(f"{CALL}/{token}").status_code == 200
    duration = call_messages(db, token)[-1][2]["duration"]
    assert 30 * 60 + 23 <= duration < 31 * 60 + 23
    history = data(alice.get(f"apps/spreed/api/v1/chat/{token}", params={"lookIntoFuture": 0, "limit": 5}))
    assert [(m["systemMessage"], m["message"]) for m in reversed(history)] == [
        ("call_started", "You started a call"),
        ("call_joined", "{actor} joined the call"),
        ("call_left", "{actor} left the call"),
        ("call_left", "You left the call"),
        ("call_ended", f"Call with {{user1}} and {{user2}} ended (Duration {duration // 60}:{duration % 60:02d})"),
    ]
    assert history[0]["messageParameters"]["user2"]["id"] == "bob"


def test_turning_the_lobby_on_takes_non_moderators_out_of_the_call(
    alice: TalkClient, bob: TalkClient, group_call: str, db: sqlalchemy.Engine
) -> None:
    token = group_call
    assert alice.post(f"{CALL}/{token}", json={"flags": 3}).status_code == 200
    assert bob.post(f"{CALL}/{token}", json={"flags": 3}).status_code == 200
    assert alice.put(f"{ROOM}/{token}/webinar/lobby", json={"state": 1}).status_code == 200
    assert [p["actorId"] for p in data(alice.get(f"{CALL}/{token}"))] == ["alice"]
    assert room(bob, token)["participantFlags"] == 0
    assert bob.post(f"{CALL}/{token}", json={"flags": 3}).status_code == 412
    # Taken out, not leaving: no "call_left" for Bob.
    assert [m[:2] for m in call_messages(db, token)] == [("call_started", "alice"), ("call_joined", "bob")]
