"""Reactions over HTTP: add, list, remove, and how they show on messages and in the history."""

from __future__ import annotations

from tests.support.client import TalkClient, data
from tests.support.talk import CHAT, REACTION, group_room, history, send


def test_react_list_and_remove(alice: TalkClient, bob: TalkClient) -> None:
    token = group_room(alice, "bob")
    message = send(alice, token, "react to me")
    path = f"{REACTION}/{token}/{message['id']}"
    first = alice.post(path, json={"reaction": "👍"})
    assert first.status_code == 201
    assert [r["actorId"] for r in data(first)["👍"]] == ["alice"]
    assert set(data(first)["👍"][0]) == {"actorType", "actorId", "actorDisplayName", "timestamp"}
    again = alice.post(path, json={"reaction": "👍"})
    assert again.status_code == 200 and len(data(again)["👍"]) == 1
    both = bob.post(path, params={"reaction": "👍"})
    assert [r["actorId"] for r in data(both)["👍"]] == ["bob", "alice"]
    assert data(alice.get(path)) == data(both)
    bob.post(path, json={"reaction": "🎉"})
    assert list(data(alice.get(path, params={"reaction": "🎉"}))) == ["🎉"]

    reply = send(bob, token, "quoting", replyTo=message["id"])
    assert reply["parent"]["reactions"] == {"👍": 2, "🎉": 1}
    seen = {m["id"]: m for m in history(bob, token)}
    assert seen[message["id"]]["reactions"] == {"👍": 2, "🎉": 1}
    assert seen[message["id"]]["reactionsSelf"] == ["👍", "🎉"]
    assert {m["id"]: m for m in history(alice, token)}[message["id"]]["reactionsSelf"] == ["👍"]

    removed = alice.delete(path, params={"reaction": "👍"})
    assert removed.status_code == 200 and [r["actorId"] for r in data(removed)["👍"]] == ["bob"]
    assert alice.delete(path, params={"reaction": "👍"}).status_code == 404

    events = [
        m
        for m in history(alice, token)
        if m["messageType"] == "system" and m.get("parent", {}).get("id") == message["id"]
    ]
    assert [m["systemMessage"] for m in events] == ["reaction_revoked", "reaction", "reaction", "reaction_deleted"]
    revoked, *_ = events
    assert revoked["message"] == "You deleted a reaction" and revoked["parent"]["reactions"] == {"👍": 1, "🎉": 1}
    stub = events[-1]
    assert stub["message"] == "Reaction deleted by author" and stub["messageParameters"] == []
    given = next(m for m in events if m["systemMessage"] == "reaction" and m["actorId"] == "bob")
    assert given["message"] in ("👍", "🎉") and given["messageParameters"] == []


def test_reactions_need_a_comment(alice: TalkClient) -> None:
    token = group_room(alice)
    system = history(alice, token)[-1]
    assert alice.post(f"{REACTION}/{token}/{system['id']}", json={"reaction": "👍"}).status_code == 404
    assert alice.post(f"{REACTION}/{token}/999999999", json={"reaction": "👍"}).status_code == 404
    message = send(alice, token, "x")
    assert alice.post(f"{REACTION}/{token}/{message['id']}", json={"reaction": ""}).status_code == 400
    assert alice.get(f"{REACTION}/{token}/{message['id']}").json()["ocs"]["data"] == []
    alice.delete(f"{CHAT}/{token}/{message['id']}")
    assert alice.post(f"{REACTION}/{token}/{message['id']}", json={"reaction": "👍"}).status_code == 404
