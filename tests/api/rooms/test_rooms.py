"""Conversations over HTTP: create, list, get, delete, as Talk's API v4 answers them."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.support.client import TalkClient, data, meta
from tests.support.server import ServerProcess

ROOM = "apps/spreed/api/v4/room"
TOKEN_RE = re.compile(r"^[abcdefghijkmnopqrstuvwxyz23456789]{8}$")


def create(client: TalkClient, **body: Any) -> dict[str, Any]:
    response = client.post(ROOM, json={"roomType": 2, "roomName": "Room", **body})
    assert response.status_code in (200, 201), response.text
    return dict(data(response))


def test_create_group_room_answers_201_with_the_owner_view(alice: TalkClient) -> None:
    response = alice.post(ROOM, json={"roomType": 2, "roomName": "  Planning  "})
    assert response.status_code == 201
    room = data(response)
    assert TOKEN_RE.match(room["token"])
    assert room["type"] == 2 and room["name"] == "Planning" and room["displayName"] == "Planning"
    assert room["participantType"] == 1 and room["actorType"] == "users" and room["actorId"] == "alice"
    assert room["permissions"] == 254 and room["attendeePermissions"] == 0
    assert room["readOnly"] == 0 and room["hasPassword"] is False and room["sessionId"] == "0"
    assert room["notificationLevel"] == 2 and room["canDeleteConversation"] is True
    assert room["canLeaveConversation"] is True and room["canStartCall"] is True
    assert room["lastReadMessage"] > 0 and room["unreadMessages"] == 0


def test_create_public_room(alice: TalkClient) -> None:
    room = data(alice.post(ROOM, json={"roomType": 3, "roomName": "Open house"}))
    assert room["type"] == 3 and room["hasPassword"] is False


def test_create_public_room_with_password(alice: TalkClient, guest: TalkClient, reset_bruteforce: None) -> None:
    room = create(alice, roomType=3, password="sesame-42")
    assert room["hasPassword"] is True
    wrong = guest.post(f"{ROOM}/{room['token']}/participants/active", json={"password": "nope"})
    assert wrong.status_code == 403 and data(wrong) == {"error": "password"}


def test_private_room_drops_a_password(alice: TalkClient) -> None:
    assert create(alice, roomType=2, password="ignored")["hasPassword"] is False


def test_create_with_settings(alice: TalkClient) -> None:
    room = create(alice, readOnly=1, listable=2, description="About things", messageExpiration=3600)
    assert room["readOnly"] == 1 and room["listable"] == 2 and room["description"] == "About things"
    assert room["messageExpiration"] == 3600


def test_create_with_object(alice: TalkClient) -> None:
    room = create(alice, objectType="event", objectId="1700000000#1700003600")
    assert room["objectType"] == "event" and room["objectId"] == "1700000000#1700003600"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"roomType": 2, "roomName": "   "}, "name"),
        ({"roomType": 2, "roomName": "x" * 256}, "name"),
        ({"roomType": 5, "roomName": "x"}, "type"),
        ({"roomType": 6, "roomName": "x"}, "type"),
        ({"roomType": 2, "roomName": "x", "objectType": "event"}, "object"),
        ({"roomType": 2, "roomName": "x", "objectType": "file", "objectId": "12"}, "object-type"),
        ({"roomType": 2, "roomName": "x", "objectType": "event", "objectId": "x" * 65}, "object-id"),
        ({"roomType": 2, "roomName": "x", "readOnly": 2}, "read-only"),
        ({"roomType": 2, "roomName": "x", "listable": 3}, "listable"),
        ({"roomType": 2, "roomName": "x", "messageExpiration": -1}, "message-expiration"),
        ({"roomType": 2, "roomName": "x", "lobbyState": 2}, "lobby"),
        ({"roomType": 2, "roomName": "x", "permissions": 256}, "permissions"),
        ({"roomType": 2, "roomName": "x", "mentionPermissions": 3}, "mention-permissions"),
        ({"roomType": 2, "roomName": "x", "description": "d" * 2001}, "description"),
    ],
)
def test_create_rejects_bad_values(alice: TalkClient, body: dict[str, Any], error: str) -> None:
    response = alice.post(ROOM, json=body)
    assert response.status_code == 400
    assert data(response)["error"] == error


def test_create_requires_a_user(guest: TalkClient) -> None:
    assert guest.post(ROOM, json={"roomType": 2, "roomName": "x"}).status_code == 401


def test_create_with_participants(alice: TalkClient, bob: TalkClient, carol: TalkClient) -> None:
    room = create(alice, participants={"users": ["bob"], "groups": ["team"]})
    for client in (bob, carol):
        seen = data(client.get(f"{ROOM}/{room['token']}"))
        assert seen["participantType"] == 3 and seen["permissions"] == 246


def test_create_with_some_invalid_participants_answers_202(alice: TalkClient) -> None:
    response = alice.post(
        ROOM, json={"roomType": 2, "roomName": "x", "participants": {"users": ["bob", "nobody-here"]}}
    )
    assert response.status_code == 202
    assert data(response)["invalidParticipants"] == {"users": ["nobody-here"]}


def test_create_with_only_invalid_participants_answers_404(alice: TalkClient) -> None:
    response = alice.post(ROOM, json={"roomType": 2, "roomName": "x", "participants": {"users": ["nobody-here"]}})
    assert response.status_code == 404 and data(response) == {"error": "invite"}


def test_legacy_group_invite_names_the_room_after_the_group(alice: TalkClient, dave: TalkClient) -> None:
    response = alice.post(ROOM, json={"roomType": 2, "invite": "team"})
    assert response.status_code == 201
    room = data(response)
    assert room["name"] == "Team"  # the group's display name
    assert data(dave.get(f"{ROOM}/{room['token']}"))["participantType"] == 3
    unknown = alice.post(ROOM, json={"roomType": 2, "invite": "no-such-group"})
    assert unknown.status_code == 404 and data(unknown) == {"error": "invite"}


def test_form_encoded_create(alice: TalkClient) -> None:
    response = alice.post(ROOM, data={"roomType": "3", "roomName": "Form"})
    assert response.status_code == 201 and data(response)["type"] == 3


@pytest.fixture
def dave(make_client: Any) -> TalkClient:
    return make_client("dave")  # type: ignore[no-any-return]


# --- one-to-one ---------------------------------------------------------------------------------


def test_one_to_one_is_created_once(make_client: Any) -> None:
    admin = make_client("admin")
    dave = make_client("dave")
    first = admin.post(ROOM, json={"roomType": 1, "invite": "dave"})
    assert first.status_code == 201
    room = data(first)
    assert room["type"] == 1 and room["name"] == "dave" and room["displayName"] == "Dave Davis"
    assert room["participantType"] == 1 and room["notificationLevel"] == 1
    assert room["canDeleteConversation"] is False and room["canLeaveConversation"] is True
    again = admin.post(ROOM, json={"roomType": 1, "invite": "dave"})
    assert again.status_code == 200 and data(again)["token"] == room["token"]
    # The other side sees the room under the creator's name, and asking from there finds it too.
    seen = dave.post(ROOM, json={"roomType": 1, "participants": {"users": ["admin"]}})
    assert seen.status_code == 200
    assert data(seen)["token"] == room["token"] and data(seen)["name"] == "admin"
    assert data(seen)["displayName"] == "Administrator"


def test_one_to_one_with_yourself_is_403(alice: TalkClient) -> None:
    response = alice.post(ROOM, json={"roomType": 1, "invite": "alice"})
    assert response.status_code == 403 and data(response) == {"error": "invite"}


def test_one_to_one_with_unknown_user_is_404(alice: TalkClient) -> None:
    response = alice.post(ROOM, json={"roomType": 1, "invite": "ghost"})
    assert response.status_code == 404 and data(response) == {"error": "invite"}


def test_one_to_one_cannot_be_deleted(make_client: Any) -> None:
    carol = make_client("carol")
    room = data(carol.post(ROOM, json={"roomType": 1, "invite": "bob"}))
    assert carol.delete(f"{ROOM}/{room['token']}").status_code == 400


# --- note to self -------------------------------------------------------------------------------


def test_note_to_self_is_created_on_demand_and_reused(make_client: Any) -> None:
    dave = make_client("dave")
    response = dave.get(f"{ROOM}/note-to-self")
    assert response.status_code == 200
    assert re.match(r"^[0-9a-f]{40}$", response.headers["X-Nextcloud-Talk-Hash"])
    room = data(response)
    assert room["type"] == 6 and room["name"] == "Note to self" and room["objectType"] == "note_to_self"
    assert room["objectId"] == "dave" and room["isFavorite"] is True and room["participantType"] == 1
    assert room["canStartCall"] is False and room["canLeaveConversation"] is False
    assert data(dave.get(f"{ROOM}/note-to-self"))["token"] == room["token"]


# --- list and get -------------------------------------------------------------------------------


def test_list_shows_own_rooms_with_headers(alice: TalkClient, bob: TalkClient) -> None:
    mine = create(alice, roomName="Listed for alice")
    response = alice.get(ROOM)
    assert response.status_code == 200
    assert re.match(r"^[0-9a-f]{40}$", response.headers["X-Nextcloud-Talk-Hash"])
    assert int(response.headers["X-Nextcloud-Talk-Modified-Before"]) > 0
    assert mine["token"] in {room["token"] for room in data(response)}
    assert mine["token"] not in {room["token"] for room in data(bob.get(ROOM))}


def test_list_modified_since(alice: TalkClient, bob: TalkClient) -> None:
    before = alice.get(ROOM)
    since = int(before.headers["X-Nextcloud-Talk-Modified-Before"])
    future = data(alice.get(ROOM, params={"modifiedSince": since + 3600}))
    # Nothing changed after that time; only rooms with a call (other tests leave some) come back.
    assert all(listed["hasCall"] for listed in future)
    room = create(alice, roomName="Changed lately")
    changed = data(alice.get(ROOM, params={"modifiedSince": since}))
    assert room["token"] in {r["token"] for r in changed}


def test_get_room_has_talk_hash(alice: TalkClient) -> None:
    room = create(alice)
    response = alice.get(f"{ROOM}/{room['token']}")
    assert response.status_code == 200
    assert data(response)["token"] == room["token"]
    assert response.headers["X-Nextcloud-Talk-Hash"] == alice.get(ROOM).headers["X-Nextcloud-Talk-Hash"]


def test_unknown_room_is_404_and_counts_an_attempt(
    alice: TalkClient, server: ServerProcess, reset_bruteforce: None
) -> None:
    response = alice.get(f"{ROOM}/doesnotexist1")
    assert response.status_code == 404 and data(response) == []
    # As in Talk, the failed attempt is registered and then slept for (transcript step 34).
    assert response.headers["X-Nextcloud-Bruteforce-Throttled"] == "200ms"
    attempts = json.loads(server.occ("security:bruteforce:attempts", "127.0.0.1", "talkRoomToken").stdout)
    assert attempts["attempts"] == 1
    again = alice.get(f"{ROOM}/doesnotexist1")
    assert again.headers["X-Nextcloud-Bruteforce-Throttled"] == "600ms"


def test_v1_unknown_room_is_http_200_with_statuscode_404(alice: TalkClient, reset_bruteforce: None) -> None:
    response = alice.get(f"{ROOM}/doesnotexist1", v=1)
    assert response.status_code == 200
    assert meta(response)["statuscode"] == 404 and meta(response)["status"] == "failure"


def test_non_participant_gets_404_for_a_private_room(
    alice: TalkClient, bob: TalkClient, reset_bruteforce: None
) -> None:
    room = create(alice)
    response = bob.get(f"{ROOM}/{room['token']}")
    assert response.status_code == 404 and data(response) == []
    assert bob.delete(f"{ROOM}/{room['token']}").status_code == 404


def test_guest_sees_a_public_room_without_joining_but_not_a_group_room(
    alice: TalkClient, guest: TalkClient, reset_bruteforce: None
) -> None:
    public = create(alice, roomType=3, roomName="Open", description="Public words")
    seen = data(guest.get(f"{ROOM}/{public['token']}"))
    assert seen["participantType"] == 4 and seen["attendeeId"] == 0 and seen["sessionId"] == "0"
    assert seen["permissions"] == 1 and "lastMessage" not in seen
    group = create(alice)
    assert guest.get(f"{ROOM}/{group['token']}").status_code == 404


def test_listable_room_is_visible_to_other_users(alice: TalkClient, bob: TalkClient) -> None:
    room = create(alice, listable=1, description="Come in")
    seen = data(bob.get(f"{ROOM}/{room['token']}"))
    assert seen["participantType"] == 4 and seen["attendeeId"] == 0 and seen["actorType"] == ""
    assert seen["description"] == "Come in" and seen["notificationLevel"] == 3
    assert seen["canStartCall"] is False and seen["canLeaveConversation"] is False


# --- delete -------------------------------------------------------------------------------------


def test_owner_deletes_a_room(alice: TalkClient, bob: TalkClient, reset_bruteforce: None) -> None:
    room = create(alice, participants={"users": ["bob"]})
    assert bob.delete(f"{ROOM}/{room['token']}").status_code == 403
    response = alice.delete(f"{ROOM}/{room['token']}")
    assert response.status_code == 200 and data(response) == []
    assert alice.get(f"{ROOM}/{room['token']}").status_code == 404
    assert room["token"] not in {r["token"] for r in data(bob.get(ROOM))}


# --- system messages ----------------------------------------------------------------------------


def test_system_messages_are_stored_with_talks_parameters(alice: TalkClient, server: ServerProcess) -> None:
    room = create(alice, participants={"users": ["bob"], "groups": ["team"]})
    carol_id = next(
        p["attendeeId"] for p in data(alice.get(f"{ROOM}/{room['token']}/participants")) if p["actorId"] == "carol"
    )
    alice.delete(f"{ROOM}/{room['token']}/attendees", params={"attendeeId": carol_id})
    rows = server.query(
        "SELECT m.id, m.actor_type, m.actor_id, m.message_type, m.system_message, m.parameters"
        " FROM messages m JOIN rooms r ON r.id = m.room_id WHERE r.token = :token ORDER BY m.id",
        token=room["token"],
    )
    assert [(r["system_message"], json.loads(r["parameters"])) for r in rows] == [
        ("conversation_created", {}),
        ("user_added", {"user": "bob"}),
        ("group_added", {"group": "team"}),
        ("user_added", {"user": "carol"}),
        ("user_added", {"user": "dave"}),
        ("user_removed", {"user": "carol"}),
    ]
    assert {(r["actor_type"], r["actor_id"], r["message_type"]) for r in rows} == {("users", "alice", "system")}
    # The creator has read what it created; the room's last message is the newest system message.
    assert room["lastReadMessage"] == rows[0]["id"]
    last = server.query("SELECT last_message_id FROM rooms WHERE token = :token", token=room["token"])
    assert last[0]["last_message_id"] == rows[-1]["id"]


def test_note_to_self_is_created_by_the_system(make_client: Any, server: ServerProcess) -> None:
    admin = make_client("admin")
    token = data(admin.get(f"{ROOM}/note-to-self"))["token"]
    rows = server.query(
        "SELECT m.actor_type, m.actor_id, m.system_message FROM messages m JOIN rooms r ON r.id = m.room_id"
        " WHERE r.token = :token",
        token=token,
    )
    assert rows == [{"actor_type": "guests", "actor_id": "system", "system_message": "conversation_created"}]
