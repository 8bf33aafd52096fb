"""A reminder that comes due reaches the user's device as a web push, like other notifications
(the push service on loopback; the server's clock is moved, nothing sleeps)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.conftest import advance_clock
from tests.api.push.test_webpush import device, subscribe
from tests.support.client import TalkClient, data
from tests.support.notifying import NOTIFICATIONS, group_room, send
from tests.support.push_service import PushService
from tests.support.server import ServerProcess

CHAT = "apps/spreed/api/v1/chat"


@pytest.fixture(scope="module")
def reminder_push_server(
    tmp_path_factory: pytest.TempPathFactory, push_service: PushService, testing_database: str
) -> Iterator[ServerProcess]:
    process = ServerProcess(
        tmp_path_factory.mktemp("reminder-push"),
        testing_database,
        extra_env={"SSL_CERT_FILE": str(push_service.cert_path), "CAUSERIE_TESTING": "1"},
    )
    process.seed()
    process.start()
    process.occ("config:app:set", "core", "allow_local_remote_servers", "--value", "true", "--type", "boolean")
    process.occ("group:add", "admin")
    process.occ("group:adduser", "admin", "admin")
    try:
        yield process
    finally:
        process.stop()


def test_a_due_reminder_is_pushed(reminder_push_server: ServerProcess, push_service: PushService) -> None:
    server = reminder_push_server
    bob = device(server, "bob")
    alice, admin = TalkClient(server.base_url, "alice"), TalkClient(server.base_url, "admin")
    subscription = subscribe(bob, push_service, "/push/bob-reminders")
    room = group_room(alice, "Plans", bob)
    message = send(alice, room["token"], "book the tickets")
    now = int(data(admin.get("apps/causerie/api/v1/clock"))["now"])
    created = bob.post(f"{CHAT}/{room['token']}/{message['id']}/reminder", json={"timestamp": now + 600})
    assert created.status_code == 201

    advance_clock(admin, 601)
    payload = subscription.decrypt(push_service.next_push("/push/bob-reminders").body)
    assert payload["type"] == "reminder" and payload["id"] == room["token"]
    assert payload["subject"] == "Reminder: Alice Adams in conversation Plans"
    shown = data(bob.get(f"{NOTIFICATIONS}/{payload['nid']}"))
    assert shown["object_type"] == "reminder" and shown["object_id"] == f"{room['token']}/{message['id']}"

    # Dismissed from another device: this one is told to drop it.
    assert bob.delete(f"{CHAT}/{room['token']}/{message['id']}/reminder").status_code == 200
    assert subscription.decrypt(push_service.next_push("/push/bob-reminders").body) == {
        "nid": payload["nid"],
        "delete": True,
    }
    for client in (bob, alice, admin):
        client.close()
