"""Helpers of the notification and push tests: waiting for jobs, rooms, messages."""

from __future__ import annotations

import time
from typing import Any

from tests.support.client import TalkClient, data
from tests.support.server import ServerProcess

NOTIFICATIONS = "apps/notifications/api/v2/notifications"
ROOM = "apps/spreed/api/v4/room"
CHAT = "apps/spreed/api/v1/chat"
CALL = "apps/spreed/api/v4/call"


# Jobs scheduled further ahead than this are someone's reminder for a distant day, not work left
# by what a test just did (the test clock moves by minutes or hours, never by a month).
HORIZON_S = 30 * 24 * 3600


def jobs_done(server: ServerProcess, timeout: float = 20) -> None:
    """Wait until the job runner has nothing pending (the jobs a send or a call left are done)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = server.query(
            "SELECT count(*) AS n FROM jobs WHERE state = 'pending' AND run_at < :horizon",
            horizon=time.time() + HORIZON_S,
        )[0]["n"]
        if not pending:
            return
        time.sleep(0.05)
    raise AssertionError("jobs still pending")


def notifications_of(client: TalkClient, token: str | None = None) -> list[dict[str, Any]]:
    found = data(client.get(NOTIFICATIONS))
    return [n for n in found if token is None or n["object_id"].split("/")[0] == token]


def group_room(owner: TalkClient, name: str, *members: TalkClient) -> dict[str, Any]:
    created = owner.post(ROOM, json={"roomType": 2, "roomName": name})
    assert created.status_code == 201, created.text
    room = data(created)
    for member in members:
        added = owner.post(
            f"{ROOM}/{room['token']}/participants", json={"newParticipant": member.user, "source": "users"}
        )
        assert added.status_code == 200, added.text
    return dict(room)


def send(client: TalkClient, token: str, message: str, **extra: Any) -> dict[str, Any]:
    sent = client.post(f"{CHAT}/{token}", json={"message": message, **extra})
    assert sent.status_code == 201, sent.text
    return dict(data(sent))
