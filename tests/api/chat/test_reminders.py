"""Message reminders: set, read, replaced and deleted through Talk's endpoints, listed as upcoming,
and turned into a ``reminder`` notification at their time by a scheduled job (the server's clock is
moved, nothing sleeps), once, also after a restart and with several processes."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import advance_clock
from tests.support.client import TalkClient, data
from tests.support.notifying import NOTIFICATIONS, group_room, send
from tests.support.server import ServerProcess, seeded_server
from tests.support.server import test_database_kind as database_kind

CHAT = "apps/spreed/api/v1/chat"
UPCOMING = f"{CHAT}/upcoming-reminders"
LATER = 4102444800  # 2100-01-01


def reminder_path(token: str, message_id: int) -> str:
    return f"{CHAT}/{token}/{message_id}/reminder"


def test_a_reminder_is_set_read_replaced_and_deleted(
    alice: TalkClient, bob: TalkClient, guest: TalkClient, carol: TalkClient
) -> None:
    token = group_room(alice, "Remember", bob)["token"]
    message = send(bob, token, "review this please")
    path = reminder_path(token, message["id"])

    assert alice.get(path).status_code == 404 and data(alice.get(path)) == {"error": "reminder"}
    created = alice.post(path, json={"timestamp": LATER})
    assert created.status_code == 201
    assert data(created) == {"userId": "alice", "token": token, "messageId": message["id"], "timestamp": LATER}
    assert data(alice.get(path))["timestamp"] == LATER
    replaced = alice.post(path, json={"timestamp": LATER + 60})
    assert replaced.status_code == 201 and data(alice.get(path))["timestamp"] == LATER + 60
    # Each user has their own; Bob has none.
    assert bob.get(path).status_code == 404

    missing = alice.post(reminder_path(token, message["id"] + 1000), json={"timestamp": LATER})
    assert missing.status_code == 404 and data(missing) == {"error": "message"}
    assert carol.post(path, json={"timestamp": LATER}).status_code == 404  # not a participant
    assert guest.get(UPCOMING).status_code == 200 and data(guest.get(UPCOMING)) == []

    deleted = alice.delete(path)
    assert deleted.status_code == 200 and data(deleted) == []
    assert alice.get(path).status_code == 404
    assert alice.delete(path).status_code == 200


def test_upcoming_reminders_are_the_next_ten_soonest_first(alice: TalkClient, bob: TalkClient) -> None:
    token = group_room(alice, "Upcoming", bob)["token"]
    before = {item["messageId"] for item in data(alice.get(UPCOMING))}
    ids = [send(bob, token, f"item {n}")["id"] for n in range(12)]
    for n, message_id in enumerate(ids):
        # Set in an order unlike their times.
        assert (
            alice.post(reminder_path(token, message_id), json={"timestamp": LATER - 1000 + (n * 7) % 12}).status_code
            == 201
        )
    upcoming = [item for item in data(alice.get(UPCOMING)) if item["messageId"] not in before]
    assert len(upcoming) == 10
    assert [item["reminderTimestamp"] for item in upcoming] == sorted(item["reminderTimestamp"] for item in upcoming)
    first = upcoming[0]
    assert first["roomToken"] == token and first["actorType"] == "users" and first["actorId"] == "bob"
    assert first["actorDisplayName"] == "Bob Brown" and first["message"].startswith("item ")
    assert data(bob.get(UPCOMING)) == [] or all(item["roomToken"] != token for item in data(bob.get(UPCOMING)))


def reminder_notifications(client: TalkClient, token: str) -> list[dict[str, Any]]:
    return [
        n
        for n in data(client.get(NOTIFICATIONS))
        if n["object_type"] == "reminder" and n["object_id"].startswith(token)
    ]


def wait_for_reminders(client: TalkClient, token: str, count: int, timeout: float = 30) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    found: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        found = reminder_notifications(client, token)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{len(found)} reminder notifications, expected {count}")


def server_now(admin: TalkClient) -> int:
    return int(data(admin.get("apps/causerie/api/v1/clock"))["now"])


def no_job_running(server: ServerProcess) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        busy = server.query(
            "SELECT count(*) AS n FROM jobs WHERE state = 'pending' AND (locked_by IS NOT NULL OR run_at <= :now)",
            now=time.time() - 5,
        )
        if not busy[0]["n"]:
            return
        time.sleep(0.05)


def test_a_reminder_becomes_a_notification_at_its_time_once(
    testing_server: ServerProcess, client_of: Callable[[str], TalkClient]
) -> None:
    alice, bob, admin = client_of("alice"), client_of("bob"), client_of("admin")
    room = group_room(alice, "Due soon", bob)
    token = room["token"]
    message = send(bob, token, "call the plumber")
    now = server_now(admin)
    assert alice.post(reminder_path(token, message["id"]), json={"timestamp": now + 3600}).status_code == 201

    advance_clock(admin, 1800)
    no_job_running(testing_server)
    assert reminder_notifications(alice, token) == []

    advance_clock(admin, 1801)
    notification = wait_for_reminders(alice, token, 1)[0]
    assert notification["subject"] == "Reminder: Bob Brown in conversation Due soon"
    assert notification["subjectRich"] == "Reminder: {user} in conversation {call}"
    assert notification["subjectRichParameters"]["user"] == {"type": "user", "id": "bob", "name": "Bob Brown"}
    assert notification["object_id"] == f"{token}/{message['id']}"
    assert notification["message"] == "call the plumber"
    view, dismiss = notification["actions"]
    assert (view["label"], view["type"], view["primary"]) == ("View message", "WEB", True)
    assert view["link"].endswith(f"/call/{token}#message_{message['id']}")
    assert (dismiss["label"], dismiss["type"]) == ("Dismiss reminder", "DELETE")
    assert dismiss["link"].endswith(f"/ocs/v2.php/{reminder_path(token, message['id'])}")
    # Fired: the reminder is gone, and firing does not happen again.
    assert alice.get(reminder_path(token, message["id"])).status_code == 404
    assert message["id"] not in [item["messageId"] for item in data(alice.get(UPCOMING))]
    advance_clock(admin, 7200)
    no_job_running(testing_server)
    assert len(reminder_notifications(alice, token)) == 1
    # Reading the chat leaves a reminder alone (it is no chat notification) …
    alice.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0})
    assert len(reminder_notifications(alice, token)) == 1
    # … "Dismiss reminder" removes it.
    assert alice.delete(reminder_path(token, message["id"])).status_code == 200
    assert reminder_notifications(alice, token) == []


def test_a_replaced_or_deleted_reminder_fires_at_its_new_time_or_never(
    testing_server: ServerProcess, client_of: Callable[[str], TalkClient]
) -> None:
    alice, bob, admin = client_of("alice"), client_of("bob"), client_of("admin")
    token = group_room(alice, "Changed minds", bob)["token"]
    moved, dropped = send(bob, token, "moved"), send(bob, token, "dropped")
    now = server_now(admin)
    alice.post(reminder_path(token, moved["id"]), json={"timestamp": now + 100})
    alice.post(reminder_path(token, moved["id"]), json={"timestamp": now + 7200})
    alice.post(reminder_path(token, dropped["id"]), json={"timestamp": now + 100})
    alice.delete(reminder_path(token, dropped["id"]))

    advance_clock(admin, 200)
    no_job_running(testing_server)
    assert reminder_notifications(alice, token) == []
    advance_clock(admin, 7200)
    found = wait_for_reminders(alice, token, 1)
    no_job_running(testing_server)
    assert [n["object_id"] for n in reminder_notifications(alice, token)] == [f"{token}/{moved['id']}"]
    assert len(found) == 1


def test_reminders_survive_a_restart(tmp_path: Path, testing_database: str) -> None:
    if database_kind() != "sqlite":
        pytest.skip("the PostgreSQL variant is the several-processes test below")
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    with seeded_server(tmp_path, url, extra_env={"CAUSERIE_TESTING": "1"}) as process:
        process.occ("group:add", "admin")
        process.occ("group:adduser", "admin", "admin")
        alice, bob, admin = (TalkClient(process.base_url, uid) for uid in ("alice", "bob", "admin"))
        token = group_room(alice, "Across restarts", bob)["token"]
        message = send(bob, token, "after the restart")
        now = server_now(admin)
        alice.post(reminder_path(token, message["id"]), json={"timestamp": now + 3600})
        process.stop()
        process.start()  # a new process, its clock back to the wall clock
        advance_clock(admin, 3601)
        assert [n["object_id"] for n in wait_for_reminders(alice, token, 1)] == [f"{token}/{message['id']}"]
        for client in (alice, bob, admin):
            client.close()


@pytest.mark.postgres
def test_a_reminder_fires_once_with_several_processes(tmp_path: Path, testing_server: ServerProcess) -> None:
    if database_kind() != "postgresql":
        pytest.skip("several servers share a database on PostgreSQL only")
    second = ServerProcess(tmp_path, testing_server.database_url, extra_env={"CAUSERIE_TESTING": "1"})
    second.start()
    try:
        alice, bob = TalkClient(testing_server.base_url, "alice"), TalkClient(second.base_url, "bob")
        admins = [TalkClient(testing_server.base_url, "admin"), TalkClient(second.base_url, "admin")]
        token = group_room(alice, "Two servers", bob)["token"]
        message = send(bob, token, "once only")
        now = max(server_now(admin) for admin in admins)
        alice.post(reminder_path(token, message["id"]), json={"timestamp": now + 3600})
        for admin in admins:
            advance_clock(admin, 7200)
        wait_for_reminders(alice, token, 1)
        no_job_running(testing_server)
        assert len(reminder_notifications(alice, token)) == 1
        for client in (alice, bob, *admins):
            client.close()
    finally:
        second.stop()
