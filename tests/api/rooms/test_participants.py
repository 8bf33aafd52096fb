"""Participants over HTTP: adding users and groups, listing, removing, joining and leaving sessions."""

from __future__ import annotations

from typing import Any

from tests.support.client import TalkClient, data
from tests.support.server import ServerProcess

ROOM = "apps/spreed/api/v4/room"


def create(client: TalkClient, **body: Any) -> str:
    response = client.post(ROOM, json={"roomType": 2, "roomName": "Room", **body})
    assert response.status_code == 201, response.text
    return str(data(response)["token"])


def attendees(client: TalkClient, token: str) -> dict[str, dict[str, Any]]:
    response = client.get(f"{ROOM}/{token}/participants")
    assert response.status_code == 200
    return {f"{p['actorType']}/{p['actorId']}": p for p in data(response)}


def add(client: TalkClient, token: str, who: str, source: str = "users") -> Any:
    return client.post(f"{ROOM}/{token}/participants", json={"newParticipant": who, "source": source})


def test_add_user_and_list(alice: TalkClient, bob: TalkClient) -> None:
    token = create(alice)
    response = add(alice, token, "bob")
    assert response.status_code == 200 and data(response) == []
    listed = attendees(alice, token)
    assert set(listed) == {"users/alice", "users/bob"}
    bob_entry = listed["users/bob"]
    assert bob_entry["participantType"] == 3 and bob_entry["permissions"] == 246
    assert bob_entry["displayName"] == "Bob Brown" and bob_entry["sessionIds"] == []
    assert bob_entry["roomToken"] == token and bob_entry["inCall"] == 0
    assert listed["users/alice"]["participantType"] == 1 and listed["users/alice"]["permissions"] == 254
    # Bob now sees the room, as a member.
    assert data(bob.get(f"{ROOM}/{token}"))["participantType"] == 3
    # Adding again changes nothing.
    assert add(alice, token, "bob").status_code == 200
    assert len(attendees(alice, token)) == 2


def test_add_group_adds_its_members(alice: TalkClient, carol: TalkClient) -> None:
    token = create(alice)
    assert add(alice, token, "team", "groups").status_code == 200
    listed = attendees(alice, token)
    assert {"groups/team", "users/carol", "users/dave"} <= set(listed)
    assert listed["groups/team"]["displayName"] == "Team" and listed["groups/team"]["participantType"] == 3
    assert data(carol.get(f"{ROOM}/{token}"))["participantType"] == 3


def test_add_errors(alice: TalkClient, bob: TalkClient) -> None:
    token = create(alice, participants={"users": ["bob"]})
    unknown = add(alice, token, "nobody")
    assert unknown.status_code == 404 and data(unknown) == {"error": "new-participant"}
    unknown_group = add(alice, token, "nogroup", "groups")
    assert unknown_group.status_code == 404 and data(unknown_group) == {"error": "new-participant"}
    bad_source = add(alice, token, "x@example.org", "emails")
    assert bad_source.status_code == 400 and data(bad_source) == {"error": "source"}
    federated = add(alice, token, "x@remote", "federated_users")
    assert federated.status_code == 501 and data(federated) == {"error": "federation"}
    # Only moderators add people.
    assert add(bob, token, "carol").status_code == 403


def test_cannot_add_to_one_to_one(alice: TalkClient) -> None:
    room = data(alice.post(ROOM, json={"roomType": 1, "invite": "carol"}))
    response = add(alice, room["token"], "dave")
    assert response.status_code == 400 and data(response) == {"error": "room-type"}


def test_non_participant_gets_404_everywhere(alice: TalkClient, bob: TalkClient, reset_bruteforce: None) -> None:
    token = create(alice)
    assert bob.get(f"{ROOM}/{token}/participants").status_code == 404
    assert bob.post(f"{ROOM}/{token}/participants", json={"newParticipant": "bob"}).status_code == 404
    assert bob.delete(f"{ROOM}/{token}/attendees", params={"attendeeId": 1}).status_code == 404
    assert bob.post(f"{ROOM}/{token}/participants/active").status_code == 404


def test_remove_attendee(alice: TalkClient, bob: TalkClient, reset_bruteforce: None) -> None:
    token = create(alice, participants={"users": ["bob", "carol"]})
    listed = attendees(alice, token)
    # Not a moderator: 403.
    carol_id = listed["users/carol"]["attendeeId"]
    assert bob.delete(f"{ROOM}/{token}/attendees", params={"attendeeId": carol_id}).status_code == 403
    response = alice.delete(f"{ROOM}/{token}/attendees", params={"attendeeId": listed["users/bob"]["attendeeId"]})
    assert response.status_code == 200 and data(response) is None
    assert "users/bob" not in attendees(alice, token)
    assert bob.get(f"{ROOM}/{token}").status_code == 404
    missing = alice.delete(f"{ROOM}/{token}/attendees", params={"attendeeId": 999999})
    assert missing.status_code == 404 and data(missing) == {"error": "participant"}


# --- sessions -----------------------------------------------------------------------------------


def test_user_joins_and_leaves_a_session(alice: TalkClient) -> None:
    token = create(alice)
    response = alice.post(f"{ROOM}/{token}/participants/active", json={"force": True})
    assert response.status_code == 200
    room = data(response)
    session_id = room["sessionId"]
    assert len(session_id) == 255 and room["lastPing"] > 0
    # The session belongs to this client's cookie session: the next request sees it.
    assert data(alice.get(f"{ROOM}/{token}"))["sessionId"] == session_id
    assert attendees(alice, token)["users/alice"]["sessionIds"] == [session_id]
    left = alice.delete(f"{ROOM}/{token}/participants/active")
    assert left.status_code == 200 and data(left) is None
    assert data(alice.get(f"{ROOM}/{token}"))["sessionId"] == "0"
    assert attendees(alice, token)["users/alice"]["sessionIds"] == []
    # Leaving again is fine.
    assert alice.delete(f"{ROOM}/{token}/participants/active").status_code == 200


def test_rejoining_replaces_the_session(alice: TalkClient) -> None:
    token = create(alice)
    first = data(alice.post(f"{ROOM}/{token}/participants/active"))["sessionId"]
    second = data(alice.post(f"{ROOM}/{token}/participants/active", json={"force": False}))["sessionId"]
    assert first != second
    assert attendees(alice, token)["users/alice"]["sessionIds"] == [second]


def test_two_clients_of_one_user_have_two_sessions(alice: TalkClient, make_client: Any) -> None:
    token = create(alice)
    other = make_client("alice")
    one = data(alice.post(f"{ROOM}/{token}/participants/active"))["sessionId"]
    two = data(other.post(f"{ROOM}/{token}/participants/active"))["sessionId"]
    assert sorted(attendees(alice, token)["users/alice"]["sessionIds"]) == sorted([one, two])


def test_user_self_joins_a_public_room(alice: TalkClient, bob: TalkClient) -> None:
    token = create(alice, roomType=3)
    room = data(bob.post(f"{ROOM}/{token}/participants/active"))
    assert room["participantType"] == 5 and room["actorId"] == "bob"
    assert attendees(alice, token)["users/bob"]["participantType"] == 5
    # Leaving the session ends a self-joined membership, as in Talk.
    bob.delete(f"{ROOM}/{token}/participants/active")
    assert "users/bob" not in attendees(alice, token)


def test_user_joins_a_listable_room_as_member(alice: TalkClient, bob: TalkClient) -> None:
    token = create(alice, listable=1)
    room = data(bob.post(f"{ROOM}/{token}/participants/active"))
    assert room["participantType"] == 3
    bob.delete(f"{ROOM}/{token}/participants/active")
    assert attendees(alice, token)["users/bob"]["participantType"] == 3


def test_public_room_password_for_users(alice: TalkClient, bob: TalkClient, reset_bruteforce: None) -> None:
    token = create(alice, roomType=3, password="right-one")
    wrong = bob.post(f"{ROOM}/{token}/participants/active", json={"password": "wrong"})
    assert wrong.status_code == 403 and data(wrong) == {"error": "password"}
    assert wrong.headers["X-Nextcloud-Bruteforce-Throttled"] == "200ms"
    assert bob.post(f"{ROOM}/{token}/participants/active", json={"password": "right-one"}).status_code == 200


def test_invited_user_skips_the_password(alice: TalkClient, carol: TalkClient) -> None:
    token = create(alice, roomType=3, password="another", participants={"users": ["carol"]})
    assert carol.post(f"{ROOM}/{token}/participants/active").status_code == 200


def test_join_conflict_while_in_call_without_force(alice: TalkClient, server: ServerProcess) -> None:
    token = create(alice)
    session_id = data(alice.post(f"{ROOM}/{token}/participants/active"))["sessionId"]
    server.sql("UPDATE talk_sessions SET in_call = 7 WHERE session_id = :sid", sid=session_id)
    conflict = alice.post(f"{ROOM}/{token}/participants/active", json={"force": False})
    assert conflict.status_code == 409
    assert data(conflict)["sessionId"] == session_id and data(conflict)["inCall"] == 7
    forced = alice.post(f"{ROOM}/{token}/participants/active", json={"force": True})
    assert forced.status_code == 200 and data(forced)["sessionId"] != session_id
