"""Conversation settings over HTTP: rename, description, public/private, password, read-only,
listable, favorite, notifications, moderators, permissions and leaving, with their system messages."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.support.client import TalkClient, data
from tests.support.server import ServerProcess

ROOM = "apps/spreed/api/v4/room"


def create(client: TalkClient, **body: Any) -> str:
    response = client.post(ROOM, json={"roomType": 2, "roomName": "Settings", **body})
    assert response.status_code == 201, response.text
    return str(data(response)["token"])


def system_messages(server: ServerProcess, token: str) -> list[tuple[str, str, dict[str, Any]]]:
    rows = server.query(
        "SELECT m.actor_id, m.system_message, m.parameters FROM messages m JOIN rooms r ON r.id = m.room_id"
        " WHERE r.token = :token AND m.message_type = 'system' ORDER BY m.id",
        token=token,
    )
    return [(r["actor_id"], r["system_message"], json.loads(r["parameters"])) for r in rows][1:]


def attendee_ids(client: TalkClient, token: str) -> dict[str, int]:
    return {p["actorId"]: p["attendeeId"] for p in data(client.get(f"{ROOM}/{token}/participants"))}


def test_rename(alice: TalkClient, bob: TalkClient, server: ServerProcess) -> None:
    token = create(alice, participants={"users": ["bob"]})
    response = alice.put(f"{ROOM}/{token}", params={"roomName": "  New name "})
    assert response.status_code == 200 and data(response)["name"] == "New name"
    # The same name again changes nothing.
    alice.put(f"{ROOM}/{token}", json={"roomName": "New name"})
    assert bob.put(f"{ROOM}/{token}", json={"roomName": "Bob's"}).status_code == 403
    for bad in ("   ", "x" * 256):
        response = alice.put(f"{ROOM}/{token}", json={"roomName": bad})
        assert response.status_code == 400 and data(response) == {"error": "value"}
    assert system_messages(server, token)[-1] == (
        "alice",
        "conversation_renamed",
        {"oldName": "Settings", "newName": "New name"},
    )
    assert [m[1] for m in system_messages(server, token)].count("conversation_renamed") == 1


def test_rename_one_to_one_is_refused(alice: TalkClient) -> None:
    token = data(alice.post(ROOM, json={"roomType": 1, "invite": "bob"}))["token"]
    response = alice.put(f"{ROOM}/{token}", json={"roomName": "Ours"})
    assert response.status_code == 400 and data(response) == {"error": "type"}


def test_description_counts_characters(alice: TalkClient, server: ServerProcess) -> None:
    token = create(alice)
    emoji = "🦆" * 2000  # 2000 characters, 8000 bytes
    response = alice.put(f"{ROOM}/{token}/description", json={"description": emoji})
    assert response.status_code == 200 and data(response)["description"] == emoji
    too_long = alice.put(f"{ROOM}/{token}/description", json={"description": "é" * 2001})
    assert too_long.status_code == 400 and data(too_long) == {"error": "value"}
    assert data(alice.put(f"{ROOM}/{token}/description", params={"description": ""}))["description"] == ""
    assert [m[1] for m in system_messages(server, token)] == ["description_set", "description_removed"]


def test_public_private_and_password(
    alice: TalkClient, guest: TalkClient, server: ServerProcess, reset_bruteforce: None
) -> None:
    token = create(alice)
    # Passwords only exist for public rooms.
    refused = alice.put(f"{ROOM}/{token}/password", params={"password": "pw"})
    assert refused.status_code == 400 and data(refused) == {"error": "type"}
    public = alice.post(f"{ROOM}/{token}/public")
    assert public.status_code == 200 and data(public)["type"] == 3
    with_password = alice.put(f"{ROOM}/{token}/password", params={"password": "sesame-1"})
    assert data(with_password)["hasPassword"] is True
    wrong = guest.post(f"{ROOM}/{token}/participants/active", json={"password": "nope"})
    assert wrong.status_code == 403
    assert guest.post(f"{ROOM}/{token}/participants/active", json={"password": "sesame-1"}).status_code == 200
    assert data(alice.put(f"{ROOM}/{token}/password", params={"password": ""}))["hasPassword"] is False
    private = alice.delete(f"{ROOM}/{token}/public")
    assert private.status_code == 200 and data(private)["type"] == 2
    # Guests are gone with the public link.
    assert all(p["actorType"] != "guests" for p in data(alice.get(f"{ROOM}/{token}/participants")))
    assert [m[1] for m in system_messages(server, token)] == [
        "guests_allowed",
        "password_set",
        "password_removed",
        "guests_disallowed",
    ]


def test_a_password_comes_from_a_moderator_and_with_the_public_link(
    alice: TalkClient, bob: TalkClient, carol: TalkClient, guest: TalkClient, reset_bruteforce: None
) -> None:
    token = create(alice, participants={"users": ["bob"]})
    # Checked before the password is hashed: a stranger and a plain participant change nothing.
    assert carol.post(f"{ROOM}/{token}/public", json={"password": "mine"}).status_code == 404
    assert bob.post(f"{ROOM}/{token}/public", json={"password": "mine"}).status_code == 403
    public = alice.post(f"{ROOM}/{token}/public", json={"password": "open-sesame"})
    assert public.status_code == 200 and data(public)["type"] == 3 and data(public)["hasPassword"] is True
    assert bob.put(f"{ROOM}/{token}/password", params={"password": "mine"}).status_code == 403
    assert guest.post(f"{ROOM}/{token}/participants/active", json={"password": "mine"}).status_code == 403
    assert guest.post(f"{ROOM}/{token}/participants/active", json={"password": "open-sesame"}).status_code == 200


def test_public_endpoints_refuse_one_to_one(alice: TalkClient) -> None:
    token = data(alice.post(ROOM, json={"roomType": 1, "invite": "carol"}))["token"]
    response = alice.post(f"{ROOM}/{token}/public")
    assert response.status_code == 400 and data(response) == {"error": "type"}


def test_read_only(alice: TalkClient, bob: TalkClient, server: ServerProcess) -> None:
    token = create(alice, participants={"users": ["bob"]})
    response = alice.put(f"{ROOM}/{token}/read-only", params={"state": 1})
    assert response.status_code == 200 and data(response)["readOnly"] == 1
    assert bob.put(f"{ROOM}/{token}/read-only", params={"state": 0}).status_code == 403
    bad = alice.put(f"{ROOM}/{token}/read-only", params={"state": 2})
    assert bad.status_code == 400 and data(bad) == {"error": "value"}
    assert data(alice.put(f"{ROOM}/{token}/read-only", json={"state": 0}))["readOnly"] == 0
    assert [m[1] for m in system_messages(server, token)][-2:] == ["read_only", "read_only_off"]


def test_listable_and_listed_rooms(alice: TalkClient, bob: TalkClient, server: ServerProcess) -> None:
    token = create(alice, roomName="Findable Chess Club")
    assert token not in {r["token"] for r in data(bob.get("apps/spreed/api/v4/listed-room"))}
    response = alice.put(f"{ROOM}/{token}/listable", json={"scope": 1})
    assert response.status_code == 200 and data(response)["listable"] == 1
    found = data(bob.get("apps/spreed/api/v4/listed-room", params={"searchTerm": "chess"}))
    assert [r["token"] for r in found] == [token]
    assert found[0]["participantType"] == 4 and found[0]["attendeeId"] == 0
    assert data(bob.get("apps/spreed/api/v4/listed-room", params={"searchTerm": "poker"})) == []
    # Members do not see their own rooms there.
    assert token not in {r["token"] for r in data(alice.get("apps/spreed/api/v4/listed-room"))}
    bad = alice.put(f"{ROOM}/{token}/listable", json={"scope": 3})
    assert bad.status_code == 400 and data(bad) == {"error": "value"}
    alice.put(f"{ROOM}/{token}/listable", json={"scope": 2})
    alice.put(f"{ROOM}/{token}/listable", json={"scope": 0})
    assert [m[1] for m in system_messages(server, token)] == ["listable_users", "listable_all", "listable_none"]
    assert bob.get(f"{ROOM}/{token}").status_code == 404


def test_favorite_archive_and_notifications(alice: TalkClient, bob: TalkClient) -> None:
    token = create(alice, participants={"users": ["bob"]})
    assert data(alice.post(f"{ROOM}/{token}/favorite"))["isFavorite"] is True
    # Marks are per participant.
    assert data(bob.get(f"{ROOM}/{token}"))["isFavorite"] is False
    assert data(alice.delete(f"{ROOM}/{token}/favorite"))["isFavorite"] is False
    assert data(bob.post(f"{ROOM}/{token}/archive"))["isArchived"] is True
    assert data(bob.post(f"{ROOM}/{token}/important"))["isImportant"] is True
    assert data(bob.post(f"{ROOM}/{token}/sensitive"))["isSensitive"] is True
    assert data(bob.post(f"{ROOM}/{token}/notify", json={"level": 3}))["notificationLevel"] == 3
    assert data(bob.post(f"{ROOM}/{token}/notify", json={"level": 0}))["notificationLevel"] == 2
    bad = bob.post(f"{ROOM}/{token}/notify", json={"level": 4})
    assert bad.status_code == 400 and data(bad) == {"error": "level"}
    assert data(bob.post(f"{ROOM}/{token}/notify-calls", json={"level": 0}))["notificationCalls"] == 0
    bad_calls = bob.post(f"{ROOM}/{token}/notify-calls", json={"level": 2})
    assert bad_calls.status_code == 400 and data(bad_calls) == {"error": "level"}


def test_room_changes_show_in_modified_since(alice: TalkClient, bob: TalkClient, server: ServerProcess) -> None:
    token = create(alice, participants={"users": ["bob"]})
    # Age the room instead of waiting for the clock.
    server.sql("UPDATE rooms SET modified_at = 1000, last_activity = 1000 WHERE token = :token", token=token)
    assert token not in {r["token"] for r in data(bob.get(ROOM, params={"modifiedSince": 2000}))}
    alice.put(f"{ROOM}/{token}", json={"roomName": "Renamed later"})
    changed = data(bob.get(ROOM, params={"modifiedSince": 2000}))
    assert [r["name"] for r in changed if r["token"] == token] == ["Renamed later"]


# --- moderators ---------------------------------------------------------------------------------


def test_promote_and_demote(alice: TalkClient, bob: TalkClient, server: ServerProcess) -> None:
    token = create(alice, participants={"users": ["bob", "carol"]})
    ids = attendee_ids(alice, token)
    assert bob.post(f"{ROOM}/{token}/moderators", json={"attendeeId": ids["carol"]}).status_code == 403
    response = alice.post(f"{ROOM}/{token}/moderators", json={"attendeeId": ids["bob"]})
    assert response.status_code == 200 and data(response) is None
    assert data(bob.get(f"{ROOM}/{token}"))["participantType"] == 2
    assert data(bob.get(f"{ROOM}/{token}"))["permissions"] == 254
    # Already a moderator; yourself; the owner; unknown.
    assert alice.post(f"{ROOM}/{token}/moderators", json={"attendeeId": ids["bob"]}).status_code == 400
    assert bob.post(f"{ROOM}/{token}/moderators", json={"attendeeId": ids["bob"]}).status_code == 403
    assert bob.delete(f"{ROOM}/{token}/moderators", params={"attendeeId": ids["alice"]}).status_code == 400
    assert alice.post(f"{ROOM}/{token}/moderators", json={"attendeeId": 999999}).status_code == 404
    # A moderator may remove plain users but not the owner.
    owner = bob.delete(f"{ROOM}/{token}/attendees", params={"attendeeId": ids["alice"]})
    assert owner.status_code == 403 and data(owner) == {"error": "owner"}
    demoted = alice.delete(f"{ROOM}/{token}/moderators", params={"attendeeId": ids["bob"]})
    assert demoted.status_code == 200 and data(demoted) is None
    assert data(bob.get(f"{ROOM}/{token}"))["participantType"] == 3
    assert system_messages(server, token)[-2:] == [
        ("alice", "moderator_promoted", {"user": "bob"}),
        ("alice", "moderator_demoted", {"user": "bob"}),
    ]


def test_guest_moderator(alice: TalkClient, guest: TalkClient, server: ServerProcess) -> None:
    token = create(alice, roomType=3)
    joined = data(guest.post(f"{ROOM}/{token}/participants/active"))
    assert alice.post(f"{ROOM}/{token}/moderators", json={"attendeeId": joined["attendeeId"]}).status_code == 200
    assert data(guest.get(f"{ROOM}/{token}"))["participantType"] == 6
    # A guest moderator may rename the room.
    assert guest.put(f"{ROOM}/{token}", json={"roomName": "Guest's pick"}).status_code == 200
    alice.delete(f"{ROOM}/{token}/moderators", params={"attendeeId": joined["attendeeId"]})
    assert data(guest.get(f"{ROOM}/{token}"))["participantType"] == 4
    messages = system_messages(server, token)
    assert ("alice", "guest_moderator_promoted", {"type": "guests", "id": joined["actorId"]}) in messages
    assert ("alice", "guest_moderator_demoted", {"type": "guests", "id": joined["actorId"]}) in messages


# --- permissions --------------------------------------------------------------------------------


def test_attendee_permissions(alice: TalkClient, bob: TalkClient) -> None:
    token = create(alice, participants={"users": ["bob"]})
    ids = attendee_ids(alice, token)
    response = alice.put(
        f"{ROOM}/{token}/attendees/permissions",
        json={"attendeeId": ids["bob"], "method": "set", "permissions": 4 | 2},
    )
    assert response.status_code == 200
    [entry] = data(response)
    assert entry["attendeeId"] == ids["bob"] and entry["permissions"] == 7 and entry["attendeePermissions"] == 7
    assert data(bob.get(f"{ROOM}/{token}"))["permissions"] == 7
    added = data(
        alice.put(
            f"{ROOM}/{token}/attendees/permissions",
            json={"attendeeId": ids["bob"], "method": "add", "permissions": 128},
        )
    )
    assert added[0]["permissions"] == 135
    removed = data(
        alice.put(
            f"{ROOM}/{token}/attendees/permissions",
            json={"attendeeId": ids["bob"], "method": "remove", "permissions": 2},
        )
    )
    assert removed[0]["permissions"] == 133
    for body, status, error in (
        ({"attendeeId": ids["alice"], "method": "set", "permissions": 4}, 400, "moderator"),
        ({"attendeeId": ids["bob"], "method": "replace", "permissions": 4}, 400, "method"),
        ({"attendeeId": ids["bob"], "method": "set", "permissions": 256}, 400, "value"),
        ({"attendeeId": 999999, "method": "set", "permissions": 4}, 404, "participant"),
    ):
        response = alice.put(f"{ROOM}/{token}/attendees/permissions", json=body)
        assert response.status_code == status and data(response) == {"error": error}
    assert bob.put(f"{ROOM}/{token}/attendees/permissions", json={"attendeeId": ids["bob"]}).status_code == 403
    assert alice.put(f"{ROOM}/{token}/attendees/permissions/all", json={"permissions": 4}).status_code == 400


def test_default_permissions_reset_attendee_permissions(alice: TalkClient, bob: TalkClient) -> None:
    token = create(alice, participants={"users": ["bob"]})
    ids = attendee_ids(alice, token)
    alice.put(
        f"{ROOM}/{token}/attendees/permissions", json={"attendeeId": ids["bob"], "method": "set", "permissions": 6}
    )
    response = alice.put(f"{ROOM}/{token}/permissions/default", json={"permissions": 128 | 4})
    assert response.status_code == 200 and data(response)["defaultPermissions"] == 133
    bob_view = data(bob.get(f"{ROOM}/{token}"))
    assert bob_view["permissions"] == 133 and bob_view["attendeePermissions"] == 0
    assert bob_view["defaultPermissions"] == 133
    call = alice.put(f"{ROOM}/{token}/permissions/call", json={"permissions": 4})
    assert call.status_code == 400 and data(call) == {"error": "mode"}
    assert bob.put(f"{ROOM}/{token}/permissions/default", json={"permissions": 4}).status_code == 403


# --- leaving ------------------------------------------------------------------------------------


def test_leave_conversation(alice: TalkClient, bob: TalkClient, server: ServerProcess) -> None:
    token = create(alice, participants={"users": ["bob"]})
    # The only moderator cannot leave while others remain.
    last = alice.delete(f"{ROOM}/{token}/participants/self")
    assert last.status_code == 400 and data(last) == {"error": "last-moderator"}
    response = bob.delete(f"{ROOM}/{token}/participants/self")
    assert response.status_code == 200 and data(response) is None
    assert bob.get(f"{ROOM}/{token}").status_code == 404
    assert system_messages(server, token)[-1] == ("bob", "user_removed", {"user": "bob"})
    # The last user leaving deletes the conversation.
    assert alice.delete(f"{ROOM}/{token}/participants/self").status_code == 200
    assert server.query("SELECT id FROM rooms WHERE token = :token", token=token) == []


def test_one_to_one_comes_back_after_leaving(make_client: Any) -> None:
    bob = make_client("bob")
    dave = make_client("dave")
    token = data(bob.post(ROOM, json={"roomType": 1, "invite": "dave"}))["token"]
    assert dave.delete(f"{ROOM}/{token}/participants/self").status_code == 200
    assert dave.get(f"{ROOM}/{token}").status_code == 404
    again = bob.post(ROOM, json={"roomType": 1, "invite": "dave"})
    assert again.status_code == 200 and data(again)["token"] == token
    assert data(dave.get(f"{ROOM}/{token}"))["participantType"] == 1


@pytest.mark.parametrize("path", ["favorite", "notify"])
def test_user_only_endpoints_refuse_guests(alice: TalkClient, guest: TalkClient, path: str) -> None:
    token = create(alice, roomType=3)
    guest.post(f"{ROOM}/{token}/participants/active")
    assert guest.post(f"{ROOM}/{token}/{path}", json={"level": 1}).status_code == 401


CHAT = "apps/spreed/api/v1/chat"


def test_lobby_keeps_non_moderators_out_until_opened(alice: TalkClient, bob: TalkClient, server: ServerProcess) -> None:
    token = create(alice, participants={"users": ["bob"]})
    on = alice.put(f"{ROOM}/{token}/webinar/lobby", json={"state": 1})
    assert on.status_code == 200 and (data(on)["lobbyState"], data(on)["lobbyTimer"]) == (1, 0)
    assert bob.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0}).status_code == 412
    assert alice.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0}).status_code == 200
    assert bob.put(f"{ROOM}/{token}/webinar/lobby", json={"state": 0}).status_code == 403
    bad = alice.put(f"{ROOM}/{token}/webinar/lobby", json={"state": 2})
    assert bad.status_code == 400 and data(bad) == {"error": "value"}
    off = alice.put(f"{ROOM}/{token}/webinar/lobby", json={"state": 0})
    assert data(off)["lobbyState"] == 0
    assert bob.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0}).status_code == 200
    assert [m[1] for m in system_messages(server, token)][-2:] == ["lobby_non_moderators", "lobby_none"]


def test_a_lobby_opens_when_its_timer_has_passed(alice: TalkClient, bob: TalkClient, server: ServerProcess) -> None:
    token = create(alice, participants={"users": ["bob"]})
    future = alice.put(f"{ROOM}/{token}/webinar/lobby", json={"state": 1, "timer": 4_000_000_000})
    assert data(future)["lobbyTimer"] == 4_000_000_000
    assert bob.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0}).status_code == 412
    alice.put(f"{ROOM}/{token}/webinar/lobby", json={"state": 1, "timer": 1_000_000_000})
    history = bob.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0})
    assert history.status_code == 200
    # Noticed by that request, the lobby is then opened for good, as Talk does.
    deadline = time.monotonic() + 30
    while data(bob.get(f"{ROOM}/{token}"))["lobbyState"] != 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (data(bob.get(f"{ROOM}/{token}"))["lobbyState"], data(bob.get(f"{ROOM}/{token}"))["lobbyTimer"]) == (0, 0)
    latest = data(bob.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0, "limit": 1}))[0]
    assert (latest["systemMessage"], latest["message"]) == (
        "lobby_timer_reached",
        "The conversation is now open to everyone",
    )
    assert [m[1] for m in system_messages(server, token)].count("lobby_timer_reached") == 1


def test_lobby_is_for_group_and_public_conversations(alice: TalkClient) -> None:
    one = alice.post(ROOM, json={"roomType": 1, "invite": "bob"})
    refused = alice.put(f"{ROOM}/{data(one)['token']}/webinar/lobby", json={"state": 1})
    assert refused.status_code == 400 and data(refused) == {"error": "type"}


def test_mention_permissions_keep_at_all_for_moderators(alice: TalkClient, bob: TalkClient) -> None:
    token = create(alice, participants={"users": ["bob"]})
    changed = alice.put(f"{ROOM}/{token}/mention-permissions", json={"mentionPermissions": 1})
    assert changed.status_code == 200 and data(changed)["mentionPermissions"] == 1
    from_bob = data(bob.post(f"{CHAT}/{token}", json={"message": "@all look"}))
    from_alice = data(alice.post(f"{CHAT}/{token}", json={"message": "@all look"}))
    assert from_bob["messageParameters"] == [] and from_bob["message"] == "@all look"
    assert from_alice["messageParameters"]["mention-call1"]["type"] == "call"
    assert bob.put(f"{ROOM}/{token}/mention-permissions", json={"mentionPermissions": 0}).status_code == 403
    bad = alice.put(f"{ROOM}/{token}/mention-permissions", json={"mentionPermissions": 2})
    assert bad.status_code == 400 and data(bad) == {"error": "value"}


def test_message_expiration(alice: TalkClient, bob: TalkClient, server: ServerProcess) -> None:
    token = create(alice, participants={"users": ["bob"]})
    set_ = alice.post(f"{ROOM}/{token}/message-expiration", json={"seconds": 3600})
    assert set_.status_code == 200 and data(set_)["messageExpiration"] == 3600
    sent = data(bob.post(f"{CHAT}/{token}", json={"message": "gone in an hour"}))
    assert sent["expirationTimestamp"] == sent["timestamp"] + 3600
    notice = data(bob.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0, "limit": 2}))[1]
    assert notice["systemMessage"] == "message_expiration_enabled"
    assert notice["message"] == "{actor} set the message expiration to 1 hour"
    assert bob.post(f"{ROOM}/{token}/message-expiration", json={"seconds": 0}).status_code == 403
    bad = alice.post(f"{ROOM}/{token}/message-expiration", json={"seconds": -1})
    assert bad.status_code == 400 and data(bad) == {"error": "value"}
    assert data(alice.post(f"{ROOM}/{token}/message-expiration", json={"seconds": 0}))["messageExpiration"] == 0
    kept = data(bob.post(f"{CHAT}/{token}", json={"message": "kept"}))
    assert kept["expirationTimestamp"] == 0
    assert [m[1] for m in system_messages(server, token)][-2:] == [
        "message_expiration_enabled",
        "message_expiration_disabled",
    ]


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        ("webinar/lobby", {"state": 1, "timer": 10**30}, ("lobbyTimer", 2**63 - 1)),
        ("webinar/lobby", {"state": 1, "timer": -5}, ("lobbyTimer", 0)),
        ("message-expiration", {"seconds": 10**30}, None),
        ("message-expiration", {"seconds": 2**31}, None),
    ],
)
def test_out_of_range_numbers_are_clamped_or_refused(
    alice: TalkClient, path: str, body: dict[str, Any], expected: tuple[str, int] | None
) -> None:
    token = create(alice)
    method = alice.put if path == "webinar/lobby" else alice.post
    response = method(f"{ROOM}/{token}/{path}", json=body)
    if expected is None:
        assert response.status_code == 400 and data(response) == {"error": "value"}
    else:
        assert response.status_code == 200 and data(response)[expected[0]] == expected[1]
