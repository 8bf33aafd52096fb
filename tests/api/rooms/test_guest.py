"""Guests: joining public conversations with a cookie session, their identity and display name."""

from __future__ import annotations

import hashlib
from typing import Any

from tests.support.client import TalkClient, data

ROOM = "apps/spreed/api/v4/room"


def public_room(client: TalkClient, **body: Any) -> str:
    response = client.post(ROOM, json={"roomType": 3, "roomName": "Public", **body})
    assert response.status_code == 201
    return str(data(response)["token"])


def participants_of(client: TalkClient, token: str) -> list[dict[str, Any]]:
    return list(data(client.get(f"{ROOM}/{token}/participants")))


def test_guest_joins_a_public_room(alice: TalkClient, guest: TalkClient) -> None:
    token = public_room(alice)
    response = guest.post(f"{ROOM}/{token}/participants/active", json={"force": True})
    assert response.status_code == 200
    room = data(response)
    session_id = room["sessionId"]
    assert room["participantType"] == 4 and room["actorType"] == "guests"
    assert room["actorId"] == hashlib.sha1(session_id.encode()).hexdigest()
    assert room["permissions"] == 246 and room["notificationLevel"] == 3
    # The cookie session carries the guest from now on.
    again = data(guest.get(f"{ROOM}/{token}"))
    assert again["sessionId"] == session_id and again["attendeeId"] == room["attendeeId"]
    guests = [p for p in participants_of(alice, token) if p["actorType"] == "guests"]
    assert [g["actorId"] for g in guests] == [room["actorId"]] and guests[0]["sessionIds"] == [session_id]


def test_guest_without_session_is_not_a_participant(
    alice: TalkClient, guest: TalkClient, reset_bruteforce: None
) -> None:
    token = public_room(alice)
    assert guest.get(f"{ROOM}/{token}/participants").status_code == 404
    assert guest.post(f"apps/spreed/api/v1/guest/{token}/name", json={"displayName": "X"}).status_code == 404


def test_guest_cannot_join_a_group_room(alice: TalkClient, guest: TalkClient, reset_bruteforce: None) -> None:
    response = alice.post(ROOM, json={"roomType": 2, "roomName": "Closed"})
    token = data(response)["token"]
    assert guest.post(f"{ROOM}/{token}/participants/active").status_code == 404


def test_guest_password(alice: TalkClient, guest: TalkClient, reset_bruteforce: None) -> None:
    token = public_room(alice, password="golden-room-pw")
    wrong = guest.post(f"{ROOM}/{token}/participants/active", json={"password": "wrong-password"})
    assert wrong.status_code == 403 and data(wrong) == {"error": "password"}
    assert wrong.headers["X-Nextcloud-Bruteforce-Throttled"] == "200ms"
    right = guest.post(f"{ROOM}/{token}/participants/active", json={"password": "golden-room-pw"})
    assert right.status_code == 200 and data(right)["hasPassword"] is True
    # The guest of this cookie session comes back without the password, as the same guest.
    back = guest.post(f"{ROOM}/{token}/participants/active")
    assert back.status_code == 200
    assert data(back)["actorId"] == data(right)["actorId"] and data(back)["sessionId"] != data(right)["sessionId"]


def test_two_guests_are_two_participants(alice: TalkClient, make_client: Any) -> None:
    token = public_room(alice)
    one = data(make_client().post(f"{ROOM}/{token}/participants/active"))
    two = data(make_client().post(f"{ROOM}/{token}/participants/active"))
    assert one["actorId"] != two["actorId"] and one["attendeeId"] != two["attendeeId"]


def test_guest_leaving_stops_being_a_participant(alice: TalkClient, guest: TalkClient) -> None:
    token = public_room(alice)
    guest.post(f"{ROOM}/{token}/participants/active")
    assert guest.delete(f"{ROOM}/{token}/participants/active").status_code == 200
    assert [p for p in participants_of(alice, token) if p["actorType"] == "guests"] == []
    assert data(guest.get(f"{ROOM}/{token}"))["participantType"] == 4
    assert data(guest.get(f"{ROOM}/{token}"))["attendeeId"] == 0


def test_guest_sets_its_name(alice: TalkClient, guest: TalkClient) -> None:
    token = public_room(alice)
    guest.post(f"{ROOM}/{token}/participants/active")
    response = guest.post(f"apps/spreed/api/v1/guest/{token}/name", json={"displayName": "  Golden Guest  "})
    assert response.status_code == 200 and data(response) is None
    guests = [p for p in participants_of(alice, token) if p["actorType"] == "guests"]
    assert guests[0]["displayName"] == "Golden Guest"


def test_users_cannot_use_the_guest_name_endpoint(alice: TalkClient) -> None:
    token = public_room(alice)
    response = alice.post(f"apps/spreed/api/v1/guest/{token}/name", json={"displayName": "Not a guest"})
    assert response.status_code == 403
