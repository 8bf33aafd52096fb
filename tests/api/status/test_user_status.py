"""User statuses as Talk Desktop and the mobile apps use them: one's own status and message,
heartbeats, what others see, and the statuses Talk adds to one-to-one rooms and participant lists."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest

from tests.support.client import TalkClient, data, meta
from tests.support.server import ServerProcess

BASE = "apps/user_status/api/v1"
ROOM = "apps/spreed/api/v4/room"


@pytest.fixture
def newcomer(server: ServerProcess, make_client: Callable[..., TalkClient]) -> TalkClient:
    """A user who never had a status."""
    uid = f"new-{uuid.uuid4().hex[:8]}"
    server.occ("user:add", "--password-from-env", "--display-name", "Newcomer", uid, env={"OC_PASS": "new-pass-1"})
    return make_client(uid, password="new-pass-1")


def test_a_user_without_a_status_has_none_until_a_heartbeat(newcomer: TalkClient, alice: TalkClient) -> None:
    missing = newcomer.get(f"{BASE}/user_status")
    assert missing.status_code == 404 and meta(missing)["message"] == "No status for the current user"
    assert alice.get(f"{BASE}/statuses/{newcomer.user}").status_code == 404

    beat = newcomer.put(f"{BASE}/heartbeat", json={"status": "online"})
    assert beat.status_code == 200
    assert data(beat) == {
        "userId": newcomer.user,
        "message": None,
        "messageId": None,
        "messageIsPredefined": False,
        "icon": None,
        "clearAt": None,
        "status": "online",
        "statusIsUserDefined": False,
    }
    assert data(alice.get(f"{BASE}/statuses/{newcomer.user}"))["status"] == "online"
    # Only online and away are heartbeats.
    assert newcomer.put(f"{BASE}/heartbeat", json={"status": "dnd"}).status_code == 400


def test_a_chosen_status_is_kept_and_heartbeats_leave_it_alone(newcomer: TalkClient, alice: TalkClient) -> None:
    chosen = newcomer.put(f"{BASE}/user_status/status", json={"statusType": "dnd"})
    assert chosen.status_code == 200
    assert (data(chosen)["status"], data(chosen)["statusIsUserDefined"]) == ("dnd", True)
    # Do not disturb persists: a heartbeat has nothing to keep alive (Desktop reads 204 as that).
    beat = newcomer.put(f"{BASE}/heartbeat", json={"status": "online"})
    assert beat.status_code == 204 and beat.content == b""
    assert data(newcomer.get(f"{BASE}/user_status"))["status"] == "dnd"
    assert data(alice.get(f"{BASE}/statuses/{newcomer.user}"))["status"] == "dnd"

    refused = newcomer.put(f"{BASE}/user_status/status", json={"statusType": "sleeping"})
    assert refused.status_code == 400 and "not supported" in meta(refused)["message"]


def test_being_invisible_looks_offline_to_others(newcomer: TalkClient, alice: TalkClient) -> None:
    newcomer.put(f"{BASE}/user_status/status", json={"statusType": "invisible"})
    assert data(newcomer.get(f"{BASE}/user_status"))["status"] == "invisible"
    assert data(alice.get(f"{BASE}/statuses/{newcomer.user}"))["status"] == "offline"
    listed = {entry["userId"]: entry for entry in data(alice.get(f"{BASE}/statuses"))}
    assert listed[newcomer.user]["status"] == "offline"


def test_custom_and_predefined_messages(newcomer: TalkClient, alice: TalkClient) -> None:
    until = int(time.time()) + 3600
    custom = newcomer.put(
        f"{BASE}/user_status/message/custom", json={"statusIcon": "🏖️", "message": "At the beach", "clearAt": until}
    )
    assert custom.status_code == 200
    assert {k: data(custom)[k] for k in ("icon", "message", "clearAt", "messageId", "messageIsPredefined")} == {
        "icon": "🏖️",
        "message": "At the beach",
        "clearAt": until,
        "messageId": None,
        "messageIsPredefined": False,
    }
    seen = data(alice.get(f"{BASE}/statuses/{newcomer.user}"))
    assert (seen["icon"], seen["message"], seen["clearAt"]) == ("🏖️", "At the beach", until)

    for bad, why in (
        ({"statusIcon": "ab", "message": "x"}, "Status-Icon"),
        ({"message": "x" * 81}, "longer than supported"),
        ({"message": "late", "clearAt": int(time.time()) - 60}, "in the past"),
    ):
        refused = newcomer.put(f"{BASE}/user_status/message/custom", json=bad)
        assert refused.status_code == 400 and why in meta(refused)["message"], refused.text

    offered = data(newcomer.get(f"{BASE}/predefined_statuses"))
    assert [s["id"] for s in offered] == ["meeting", "commuting", "remote-work", "sick-leave", "vacationing"]
    meeting = newcomer.put(f"{BASE}/user_status/message/predefined", json={"messageId": "meeting", "clearAt": until})
    assert (data(meeting)["messageId"], data(meeting)["messageIsPredefined"]) == ("meeting", True)
    assert (data(meeting)["icon"], data(meeting)["message"]) == ("📅", "In a meeting")
    unknown = newcomer.put(f"{BASE}/user_status/message/predefined", json={"messageId": "napping"})
    assert unknown.status_code == 400

    assert data(newcomer.delete(f"{BASE}/user_status/message")) == []
    cleared = data(newcomer.get(f"{BASE}/user_status"))
    assert (cleared["message"], cleared["icon"], cleared["messageId"]) == (None, None, None)
    # Desktop restores the status an app saved; there is none here.
    assert data(newcomer.delete(f"{BASE}/user_status/revert/meeting")) == []


def test_one_to_one_rooms_and_participants_carry_statuses_when_asked(newcomer: TalkClient, alice: TalkClient) -> None:
    created = alice.post(ROOM, json={"roomType": 1, "invite": newcomer.user})
    token = data(created)["token"]
    newcomer.put(f"{BASE}/user_status/status", json={"statusType": "away"})
    newcomer.put(f"{BASE}/user_status/message/custom", json={"statusIcon": "🍕", "message": "Lunch"})

    plain = next(room for room in data(alice.get(ROOM)) if room["token"] == token)
    assert "status" not in plain
    listed = next(room for room in data(alice.get(ROOM, params={"includeStatus": "true"})) if room["token"] == token)
    assert {k: listed[k] for k in ("status", "statusIcon", "statusMessage", "statusClearAt")} == {
        "status": "away",
        "statusIcon": "🍕",
        "statusMessage": "Lunch",
        "statusClearAt": None,
    }
    assert data(alice.get(f"{ROOM}/{token}"))["status"] == "away"

    participants = alice.get(f"{ROOM}/{token}/participants", params={"includeStatus": "true"})
    assert participants.headers["X-Nextcloud-Has-User-Statuses"] == "1"
    by_user = {p["actorId"]: p for p in data(participants)}
    assert (by_user[newcomer.user]["status"], by_user[newcomer.user]["statusMessage"]) == ("away", "Lunch")
    assert by_user["alice"]["status"] in ("online", "away", "dnd", "busy", "offline")
    assert "status" not in data(alice.get(f"{ROOM}/{token}/participants"))[0]
