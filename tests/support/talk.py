"""Shared set-ups for the chat API tests: rooms with members, guests, messages."""

from __future__ import annotations

from typing import Any

from tests.support.client import TalkClient, data

ROOM = "apps/spreed/api/v4/room"
CHAT = "apps/spreed/api/v1/chat"
REACTION = "apps/spreed/api/v1/reaction"


def group_room(owner: TalkClient, *members: str, name: str = "Chat room", **body: Any) -> str:
    response = owner.post(ROOM, json={"roomType": 2, "roomName": name, **body})
    assert response.status_code == 201, response.text
    token = str(data(response)["token"])
    for uid in members:
        added = owner.post(f"{ROOM}/{token}/participants", json={"newParticipant": uid, "source": "users"})
        assert added.status_code == 200, added.text
    return token


def public_room(owner: TalkClient, *members: str, name: str = "Open chat") -> str:
    token = group_room(owner, *members, name=name, roomType=3)
    return token


def join(client: TalkClient, token: str) -> dict[str, Any]:
    response = client.post(f"{ROOM}/{token}/participants/active", json={"force": True})
    assert response.status_code == 200, response.text
    return dict(data(response))


def send(client: TalkClient, token: str, message: str, **body: Any) -> dict[str, Any]:
    response = client.post(f"{CHAT}/{token}", json={"message": message, **body})
    assert response.status_code == 201, response.text
    return dict(data(response))


def history(client: TalkClient, token: str, **query: Any) -> list[dict[str, Any]]:
    response = client.get(f"{CHAT}/{token}", params={"lookIntoFuture": 0, "limit": 200, **query})
    assert response.status_code == 200, response.text
    return list(data(response))


def room(client: TalkClient, token: str) -> dict[str, Any]:
    response = client.get(f"{ROOM}/{token}")
    assert response.status_code == 200, response.text
    return dict(data(response))
